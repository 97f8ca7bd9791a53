import { useEffect, useRef, useState } from 'react';
import { formatBytes } from '../format';
import {
  estimateTransfer,
  formatSecondsLeft,
  type TransferEstimate,
  type TransferSample,
} from '../import/transfer-rate';
import type { ImportProgress } from '../worker/protocol';
import './url-import.css';

type Props = { progress: ImportProgress };

/** Rate, time left and resumed connections of a running import. */
export function TransferStatus({ progress }: Props) {
  const samples = useRef<TransferSample[]>([]);
  const [estimate, setEstimate] = useState<TransferEstimate | null>(null);
  const { bytesRead, bytesTotal, resumes = 0 } = progress;

  useEffect(() => {
    const list = samples.current;
    // A resume or a new import can move the count back: start afresh.
    if (list.length > 0 && bytesRead < list[list.length - 1].bytes) {
      list.length = 0;
    }
    list.push({ ms: performance.now(), bytes: bytesRead });
    setEstimate(estimateTransfer(list, bytesTotal));
  }, [bytesRead, bytesTotal]);

  const parts: string[] = [];
  if (estimate) {
    parts.push(`${formatBytes(Math.round(estimate.bytesPerSecond))}/s`);
    if (estimate.secondsLeft !== null) {
      parts.push(`about ${formatSecondsLeft(estimate.secondsLeft)} left`);
    }
  }
  if (resumes > 0) {
    parts.push(
      `resumed after ${resumes} dropped connection${resumes === 1 ? '' : 's'}`,
    );
  }
  if (parts.length === 0) return null;
  return (
    <span className="import-progress__rate" data-testid="import-rate">
      {parts.join(', ')}
    </span>
  );
}
