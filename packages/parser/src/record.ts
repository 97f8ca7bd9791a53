/**
 * One captured packet as the framers hand it out. The same object is
 * reused for every packet, and `data` may be a scratch buffer: read what
 * you need inside the callback and keep no reference to it.
 */
export interface PacketRecord {
  /** Packet number, from 1 as in Wireshark. */
  index: number;
  /** Byte offset in the file of the record's header or block. */
  offset: number;
  interfaceId: number;
  linkType: number;
  /** False for a pcapng simple packet block, which carries no time. */
  hasTime: boolean;
  seconds: number;
  nanos: number;
  /** Fractional digits the capture resolves (6 for microseconds). */
  timeDigits: number;
  capturedLength: number;
  /** Length on the wire; volumes count this, not what was kept. */
  originalLength: number;
  data: Uint8Array;
  dataOffset: number;
}

export function newPacketRecord(): PacketRecord {
  return {
    index: 0,
    offset: 0,
    interfaceId: 0,
    linkType: 0,
    hasTime: false,
    seconds: 0,
    nanos: 0,
    timeDigits: 6,
    capturedLength: 0,
    originalLength: 0,
    data: new Uint8Array(0),
    dataOffset: 0,
  };
}

export interface InterfaceInfo {
  id: number;
  linkType: number;
  snapLength: number;
  timeDigits: number;
  name: string;
}

export interface CaptureInfo {
  format: 'pcap' | 'pcapng';
  byteOrder: 'little' | 'big';
  version: string;
}
