/**
 * Application names a flow can carry; the index is what the `app` column
 * stores. The names are those the filter language knows.
 */
export const APP_NAMES = [
  '',
  'dns',
  'http',
  'tls',
  'quic',
  'ssh',
  'ntp',
  'dhcp',
  'smtp',
  'ftp',
  'telnet',
  'rdp',
  'smb',
  'ldap',
  'snmp',
  'syslog',
  'mdns',
  'llmnr',
  'netbios',
  'sip',
  'pfcp',
] as const;

export type AppName = (typeof APP_NAMES)[number];

function appIndex(name: AppName): number {
  return APP_NAMES.indexOf(name);
}

/** Well-known server ports, by transport; a guess when content says nothing. */
const TCP_PORTS = new Map<number, number>([
  [53, appIndex('dns')],
  [80, appIndex('http')],
  [8080, appIndex('http')],
  [443, appIndex('tls')],
  [8443, appIndex('tls')],
  [853, appIndex('tls')],
  [22, appIndex('ssh')],
  [25, appIndex('smtp')],
  [587, appIndex('smtp')],
  [21, appIndex('ftp')],
  [23, appIndex('telnet')],
  [3389, appIndex('rdp')],
  [445, appIndex('smb')],
  [389, appIndex('ldap')],
  [636, appIndex('ldap')],
]);

const UDP_PORTS = new Map<number, number>([
  [53, appIndex('dns')],
  [443, appIndex('quic')],
  [123, appIndex('ntp')],
  [67, appIndex('dhcp')],
  [68, appIndex('dhcp')],
  [161, appIndex('snmp')],
  [162, appIndex('snmp')],
  [514, appIndex('syslog')],
  [5353, appIndex('mdns')],
  [5355, appIndex('llmnr')],
  [137, appIndex('netbios')],
  [138, appIndex('netbios')],
  [5060, appIndex('sip')],
  [8805, appIndex('pfcp')],
]);

/** The application a flow's ports suggest, preferring the lower port. */
export function appFromPorts(
  protocol: number,
  srcPort: number,
  dstPort: number,
): number {
  const table = protocol === 6 ? TCP_PORTS : protocol === 17 ? UDP_PORTS : null;
  if (table === null || srcPort < 0) return 0;
  const low = Math.min(srcPort, dstPort);
  const high = Math.max(srcPort, dstPort);
  return table.get(low) ?? table.get(high) ?? 0;
}
