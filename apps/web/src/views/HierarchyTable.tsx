import type { HierarchyNode } from '@capscope/analytics/aggregates/protocol-hierarchy';
import { useFilter } from '../filter/filter-context';
import { formatBytes, formatCount } from '../format';
import { formatShare } from './measures';

/** Hierarchy names that are also filter fields (flags) of the language. */
const FILTERABLE = new Set(['ip', 'ipv6', 'tcp', 'udp', 'icmp', 'icmpv6',
  'sctp', 'gre', 'esp', 'dns', 'http', 'tls', 'quic', 'ssh', 'ntp', 'dhcp',
  'smtp', 'ftp', 'telnet', 'rdp', 'smb', 'ldap', 'snmp', 'syslog', 'mdns',
  'llmnr', 'netbios', 'sip', 'pfcp']);

type Props = {
  nodes: HierarchyNode[];
  level: 'frames' | 'flows';
};

/**
 * The protocol hierarchy as Wireshark shows it: each header under the one
 * that carried it, with its frames and bytes and their share of all.
 */
export function HierarchyTable({ nodes, level }: Props) {
  const filter = useFilter();
  const top = nodes.filter((n) => n.depth === 0);
  const frames = top.reduce((sum, n) => sum + n.frames, 0);
  const bytes = top.reduce((sum, n) => sum + n.bytes, 0);
  const unit = level === 'frames' ? 'Frames' : 'Packets';

  return (
    <table className="hierarchy">
      <thead>
        <tr>
          <th scope="col">Protocol</th>
          <th scope="col" className="num">{unit}</th>
          <th scope="col" className="num">% {unit.toLowerCase()}</th>
          <th scope="col" className="num">Bytes</th>
          <th scope="col" className="hierarchy__bar-head">% bytes</th>
        </tr>
      </thead>
      <tbody>
        {nodes.map((node) => (
          <tr key={node.path}>
            <th scope="row" style={{ paddingLeft: 8 + node.depth * 16 }}>
              {FILTERABLE.has(node.protocol) ? (
                <button type="button" className="link-button"
                  title={`Keep only ${node.protocol} flows (Shift: exclude)`}
                  onClick={(event) => filter.addTerm(node.protocol,
                    event.shiftKey || event.altKey ? 'exclude' : 'only')}>
                  {node.protocol}
                </button>
              ) : node.protocol}
            </th>
            <td className="num">{formatCount(node.frames)}</td>
            <td className="num">{formatShare(node.frames, frames)}</td>
            <td className="num">{formatBytes(node.bytes)}</td>
            <td className="hierarchy__bar">
              <span className="share-bar"
                style={{ width: `${bytes > 0 ? (node.bytes / bytes) * 100 : 0}%` }} />
              <span className="share-bar__text">
                {formatShare(node.bytes, bytes)}
              </span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
