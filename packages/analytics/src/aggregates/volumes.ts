import type { FlowColumns } from '../flow-table.js';

/**
 * Packets and bytes each flow carries by itself. A tunnel's frames count
 * in the outer flow and again in the inner one (DESIGN.md); aggregates
 * count a frame once, in its innermost flow, so an outer flow keeps only
 * what its inner flows do not account for (keepalives, control traffic).
 */
export interface FlowVolumes {
  packetsOut: Float64Array;
  packetsIn: Float64Array;
  bytesOut: Float64Array;
  bytesIn: Float64Array;
}

/**
 * Without tunnels these are the columns themselves. An outer flow's share
 * is cut in proportion in both directions: the inner flows' directions
 * need not follow the outer one's.
 */
export function ownVolumes(c: FlowColumns): FlowVolumes {
  const n = c.count;
  let tunnelled = false;
  for (let flow = 0; flow < n && !tunnelled; flow++) {
    tunnelled = c.outerFlow[flow] >= 0;
  }
  if (!tunnelled) {
    return { packetsOut: c.packetsOut, packetsIn: c.packetsIn,
      bytesOut: c.bytesOut, bytesIn: c.bytesIn };
  }

  const innerPackets = new Float64Array(n);
  const innerBytes = new Float64Array(n);
  for (let flow = 0; flow < n; flow++) {
    const outer = c.outerFlow[flow];
    if (outer < 0) continue;
    innerPackets[outer] += c.packetsOut[flow] + c.packetsIn[flow];
    innerBytes[outer] += c.bytesOut[flow] + c.bytesIn[flow];
  }
  const out: FlowVolumes = {
    packetsOut: c.packetsOut.slice(0, n),
    packetsIn: c.packetsIn.slice(0, n),
    bytesOut: c.bytesOut.slice(0, n),
    bytesIn: c.bytesIn.slice(0, n),
  };
  for (let flow = 0; flow < n; flow++) {
    if (innerPackets[flow] === 0 && innerBytes[flow] === 0) continue;
    const packets = c.packetsOut[flow] + c.packetsIn[flow];
    const bytes = c.bytesOut[flow] + c.bytesIn[flow];
    const keepPackets = packets > 0
      ? Math.max(0, packets - innerPackets[flow]) / packets : 0;
    const keepBytes = bytes > 0
      ? Math.max(0, bytes - innerBytes[flow]) / bytes : 0;
    out.packetsOut[flow] = Math.round(out.packetsOut[flow] * keepPackets);
    out.packetsIn[flow] = Math.round(out.packetsIn[flow] * keepPackets);
    out.bytesOut[flow] = Math.round(out.bytesOut[flow] * keepBytes);
    out.bytesIn[flow] = Math.round(out.bytesIn[flow] * keepBytes);
  }
  return out;
}
