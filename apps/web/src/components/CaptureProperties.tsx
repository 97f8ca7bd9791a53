import './capture-properties.css';
import { portsSurvive } from '@capscope/analytics/capture-properties';
import type { KernelChoice } from '@capscope/analytics/kernel-choice';
import { linkTypeName } from '@capscope/parser/linktypes';
import type { InterfaceInfo } from '@capscope/parser/record';
import { formatBytes, formatCount } from '../format';
import type { ImportResult } from '../worker/protocol';

const KERNEL_NAMES: Record<KernelChoice, string> = {
  decoder: 'the packet decoder',
  ts: 'the TypeScript header kernel',
  wasm: 'the WebAssembly header kernel',
};

type Props = {
  result: ImportResult;
  fileBytes: number;
};

/** What capinfos tells about a file: format, interfaces, sizes, span. */
export function CaptureProperties({ result, fileBytes }: Props) {
  const { figures } = result;
  // A dataset reopened from storage may not carry its interfaces.
  const interfaces = result.interfaces ?? [];
  const cut = interfaces.filter((i) => !portsSurvive(i.linkType, i.snapLength));
  return (
    <details className="properties" data-testid="capture-properties">
      <summary>
        Capture properties: {result.format ?? 'unknown format'}
        {result.formatVersion ? ` ${result.formatVersion}` : ''},{' '}
        {interfaces.length === 1
          ? linkTypeName(interfaces[0].linkType)
          : `${interfaces.length || 'no'} interfaces recorded`}
      </summary>
      {cut.length > 0 && (
        <p className="properties__warning" data-testid="snaplen-warning">
          The snap length ({cut.map((i) => `${i.snapLength} bytes`).join(', ')})
          kept only the start of each packet: ports were cut away, so flows
          are keyed by addresses and protocol only. Volumes still count each
          packet's full length on the wire.
        </p>
      )}
      <dl className="properties__list">
        <dt>File</dt>
        <dd>
          {formatBytes(fileBytes)} ({formatCount(fileBytes)} bytes)
        </dd>
        <dt>Packets</dt>
        <dd>{formatCount(figures.packets)}</dd>
        <dt>Data on the wire</dt>
        <dd>{formatCount(figures.bytes)} bytes</dd>
        <dt>Time span (UTC)</dt>
        <dd>
          {figures.firstSeen ?? 'none recorded'} to {figures.lastSeen ?? '—'}
        </dd>
        <dt>Time precision</dt>
        <dd>{precision(result.timeDigits)}</dd>
        {result.workers !== undefined && (
          <>
            <dt>Analysed by</dt>
            <dd data-testid="import-workers" data-value={result.workers}>
              {result.workers === 1
                ? 'one worker'
                : `${result.workers} workers, each keeping a share of the ` +
                  'address pairs'}
            </dd>
          </>
        )}
        {result.kernel !== undefined && (
          <>
            <dt>Packet headers read by</dt>
            <dd data-testid="import-kernel" data-value={result.kernel}>
              {KERNEL_NAMES[result.kernel]}
            </dd>
          </>
        )}
      </dl>
      <table className="properties__interfaces">
        <thead>
          <tr>
            <th>Interface</th>
            <th>Link type</th>
            <th>Snap length</th>
            <th>Name</th>
          </tr>
        </thead>
        <tbody>
          {interfaces.map((i: InterfaceInfo) => (
            <tr key={i.id}>
              <td>{i.id}</td>
              <td>
                {linkTypeName(i.linkType)} ({i.linkType})
              </td>
              <td>{i.snapLength > 0 ? `${i.snapLength} bytes` : 'none'}</td>
              <td>{i.name}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

function precision(digits: number): string {
  if (digits === 6) return 'microseconds';
  if (digits === 9) return 'nanoseconds';
  if (digits === 3) return 'milliseconds';
  return `${digits} decimal digits`;
}
