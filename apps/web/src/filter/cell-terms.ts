import type { FlowRecord } from '@capscope/analytics/flow-record';
import {
  addressTerm,
  appTerm,
  hostTerm,
  portTerm,
  protocolTerm,
} from '@capscope/analytics/filter/terms';

/** A value in a table cell and the filter clause that selects it. */
export interface CellTerm {
  /** The value as people read it, for the menu's title. */
  label: string;
  expr: string;
}

/**
 * The term a click on a flows-table cell offers, by column id: addresses,
 * ports, protocol, application, host and TCP state; null for figures and
 * times.
 */
export function cellTerm(column: string, record: FlowRecord): CellTerm | null {
  const term = (label: string, expr: string | null) =>
    expr === null ? null : { label, expr };
  switch (column) {
    case 'src':
      return term(record.src, addressTerm(record.src));
    case 'dst':
      return term(record.dst, addressTerm(record.dst));
    case 'srcPort':
      return term(`${record.proto} port ${record.srcPort}`,
        portTerm(record.proto, record.srcPort));
    case 'dstPort':
      return term(`${record.proto} port ${record.dstPort}`,
        portTerm(record.proto, record.dstPort));
    case 'protocol':
      return term(record.proto, protocolTerm(record.proto));
    case 'app':
      return term(record.app, appTerm(record.app));
    case 'host':
      return term(record.host, hostTerm(record.host));
    case 'state':
      // The filter knows TCP's states only.
      return record.proto === 'tcp' && record.state
        ? term(`TCP state ${record.state}`, `tcp.state == ${record.state}`)
        : null;
    default:
      return null;
  }
}
