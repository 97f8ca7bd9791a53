/**
 * One packet a session wants sent, described before its bytes are built.
 * Sessions are generators of these; the scenario merges them in time order
 * and builds each frame just before writing it.
 */
export type PacketPlan = TcpPlan | UdpPlan | EchoPlan;

export interface PlanBase {
  tsMicros: number;
  /** Sent by the VM, the side that opened the flow. */
  fromClient: boolean;
  /** Valid until the session is asked for its next packet. */
  payload: Uint8Array;
}

export interface TcpPlan extends PlanBase {
  kind: 'tcp';
  seq: number;
  ack: number;
  /** TCP_* bits from frames.ts. */
  flags: number;
  window: number;
  options: Uint8Array | null;
}

export interface UdpPlan extends PlanBase {
  kind: 'udp';
}

/** An ICMP or ICMPv6 echo; from the client a request, else a reply. */
export interface EchoPlan extends PlanBase {
  kind: 'echo';
  sequence: number;
}
