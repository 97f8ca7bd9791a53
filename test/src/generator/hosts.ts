/**
 * Who the scenario's VM talks to. The VM sits in an Azure region in
 * western Europe; round trips are what such a VM would measure.
 *
 * The addresses are public ones that these services have answered on, so
 * that GeoIP lookups and maps look like real life; the generator claims
 * nothing else about them and never contacts them. Where a service is
 * anycast, its country depends on the GeoIP database.
 */

export const VM_IPV4 = '10.0.0.4';
/** A unique local address: Azure gives IPv6 VMs private ones too. */
export const VM_IPV6 = 'fd12:3456:789a::4';
/** Azure NICs get MACs in Microsoft's 00:0d:3a block. */
export const VM_MAC = '00:0d:3a:5c:7e:41';
/**
 * Azure's virtual network answers for every off-subnet address with this
 * MAC, so a VM's capture shows all remote peers behind it.
 */
export const GATEWAY_MAC = '12:34:56:78:9a:bc';
/** Azure's recursive resolver, the same address in every region. */
export const AZURE_DNS_IPV4 = '168.63.129.16';
/** The resolver's packets arrive with Windows' initial TTL. */
export const AZURE_DNS_TTL = 128;
/** The VM's own TTL and hop limit: Linux's default. */
export const VM_TTL = 64;

export interface RemoteHost {
  /** The name the VM looks up, and sends as SNI or Host. */
  name: string;
  /** A answers; the VM connects to the first. */
  ipv4: readonly string[];
  /** AAAA answers, maybe none; IPv6 sessions use the first. */
  ipv6: readonly string[];
  /** Round trip from the VM. */
  rttMicros: number;
  /** TTL (hop limit) of its packets at the VM: 64 or 128, less hops. */
  ttl: number;
  /** TTL of its DNS answers. */
  dnsTtlSeconds: number;
  /** Who runs it and where, for readers of this table. */
  operator: string;
}

export const REMOTE_HOSTS: readonly RemoteHost[] = [
  {
    name: 'www.bing.com',
    ipv4: ['13.107.21.200', '204.79.197.200'],
    ipv6: ['2620:1ec:c11::200'],
    rttMicros: 1_800,
    ttl: 120,
    dnsTtlSeconds: 300,
    operator: 'Microsoft, US-registered, served in the same region',
  },
  {
    name: 'registry.npmjs.org',
    ipv4: ['104.16.24.34', '104.16.25.34', '104.16.26.34'],
    ipv6: ['2606:4700::6810:1822', '2606:4700::6810:1922'],
    rttMicros: 1_200,
    ttl: 58,
    dnsTtlSeconds: 300,
    operator: 'Cloudflare anycast, US-registered',
  },
  {
    name: 'www.python.org',
    ipv4: ['151.101.0.223', '151.101.64.223', '151.101.128.223'],
    ipv6: ['2a04:4e42::223'],
    rttMicros: 1_500,
    ttl: 57,
    dnsTtlSeconds: 60,
    operator: 'Fastly anycast, US-registered',
  },
  {
    name: 's3.eu-west-1.amazonaws.com',
    ipv4: ['52.218.36.114'],
    ipv6: [],
    rttMicros: 14_000,
    ttl: 108,
    dnsTtlSeconds: 5,
    operator: 'Amazon S3 in Dublin, Ireland',
  },
  {
    name: 'en.wikipedia.org',
    ipv4: ['185.15.59.224'],
    ipv6: ['2a02:ec80:300:ed1a::1'],
    rttMicros: 900,
    ttl: 59,
    dnsTtlSeconds: 600,
    operator: 'Wikimedia in Amsterdam, Netherlands',
  },
  {
    name: 'www.google.com',
    ipv4: ['142.250.185.68'],
    ipv6: ['2a00:1450:4001:82b::2004'],
    rttMicros: 6_500,
    ttl: 117,
    dnsTtlSeconds: 300,
    operator: 'Google in Frankfurt, Germany',
  },
  {
    name: 'www.youtube.com',
    ipv4: ['142.250.185.78'],
    ipv6: ['2a00:1450:4001:82b::200e'],
    rttMicros: 6_500,
    ttl: 117,
    dnsTtlSeconds: 300,
    operator: 'Google in Frankfurt, Germany',
  },
  {
    name: 'www.ripe.net',
    ipv4: ['193.0.6.139'],
    ipv6: ['2001:67c:2e8:22::c100:68b'],
    rttMicros: 800,
    ttl: 60,
    dnsTtlSeconds: 300,
    operator: 'RIPE NCC in Amsterdam, Netherlands',
  },
  {
    name: 'registro.br',
    ipv4: ['200.160.2.3'],
    ipv6: [],
    rttMicros: 195_000,
    ttl: 47,
    dnsTtlSeconds: 900,
    operator: 'NIC.br in Sao Paulo, Brazil',
  },
  {
    name: 'www.naver.com',
    ipv4: ['223.130.200.104', '223.130.195.95'],
    ipv6: [],
    rttMicros: 255_000,
    ttl: 44,
    dnsTtlSeconds: 60,
    operator: 'Naver in Seongnam, South Korea',
  },
  {
    name: 'archive.ubuntu.com',
    ipv4: ['185.125.190.36', '185.125.190.39', '91.189.91.82'],
    ipv6: [],
    rttMicros: 8_500,
    ttl: 54,
    dnsTtlSeconds: 60,
    operator: 'Canonical in London, United Kingdom',
  },
  {
    name: 'github.com',
    ipv4: ['140.82.121.4'],
    ipv6: [],
    rttMicros: 7_000,
    ttl: 52,
    dnsTtlSeconds: 60,
    operator: 'GitHub in Frankfurt, US-registered',
  },
  {
    name: 'ntp.nict.jp',
    ipv4: ['133.243.238.164', '133.243.238.243', '61.205.120.130'],
    ipv6: [],
    rttMicros: 240_000,
    ttl: 46,
    dnsTtlSeconds: 3_600,
    operator: 'NICT in Tokyo, Japan',
  },
  {
    name: 'time.cloudflare.com',
    ipv4: ['162.159.200.1', '162.159.200.123'],
    ipv6: ['2606:4700:f1::1', '2606:4700:f1::123'],
    rttMicros: 1_200,
    ttl: 58,
    dnsTtlSeconds: 300,
    operator: 'Cloudflare anycast, US-registered',
  },
  {
    name: 'dns.google',
    ipv4: ['8.8.8.8', '8.8.4.4'],
    ipv6: ['2001:4860:4860::8888', '2001:4860:4860::8844'],
    rttMicros: 5_500,
    ttl: 117,
    dnsTtlSeconds: 900,
    operator: 'Google anycast, US-registered',
  },
  {
    name: 'one.one.one.one',
    ipv4: ['1.1.1.1', '1.0.0.1'],
    ipv6: ['2606:4700:4700::1111'],
    rttMicros: 1_000,
    ttl: 58,
    dnsTtlSeconds: 300,
    operator: 'Cloudflare anycast, registered with APNIC (Australia)',
  },
];
