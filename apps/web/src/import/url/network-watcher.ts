/**
 * Where Azure Network Watcher writes a packet capture in its storage
 * account (container `network-watcher-logs`):
 *
 *   subscriptions/{sub}/resourcegroups/{rg}/providers/microsoft.compute/
 *     virtualmachines/{vm}/{yyyy}/{MM}/{dd}/packetcapture_{HH}_{mm}_{ss}_{fff}.cap
 *
 * A scale set instance sits under
 * `virtualmachinescalesets/{vmss}/virtualmachines/{instance}`. The time
 * in the path is when the capture started, in UTC.
 */
const CAPTURE_PATH = new RegExp(
  '^subscriptions/([^/]+)/resourcegroups/([^/]+)/providers/' +
    'microsoft\\.compute/(?:virtualmachinescalesets/([^/]+)/)?' +
    'virtualmachines/([^/]+)/(\\d{4})/(\\d{2})/(\\d{2})/' +
    'packetcapture_(\\d{2})_(\\d{2})_(\\d{2})_(\\d{3})\\.cap$',
  'i',
);

export interface NetworkWatcherCapture {
  subscription: string;
  resourceGroup: string;
  /** The VM's name; `scaleset/instance` for a scale set instance. */
  vm: string;
  /** RFC 3339 in UTC, to the millisecond, as the path gives it. */
  startedAt: string;
  /** `vm01, capture of 2025-11-30 10:05:07.123 UTC`. */
  label: string;
}

/**
 * Reads a blob path (inside its container, decoded) that has Network
 * Watcher's shape; null for any other path or an impossible date.
 */
export function readNetworkWatcherPath(
  blobPath: string,
): NetworkWatcherCapture | null {
  const match = CAPTURE_PATH.exec(blobPath);
  if (!match) return null;
  const [, subscription, resourceGroup, scaleSet, vmName] = match;
  const [year, month, day, hour, minute, second, millis] = match
    .slice(5)
    .map(Number);

  const ms = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  const date = new Date(ms);
  // Date.UTC rolls 2025-02-30 over into March; such a path is not real.
  if (
    date.getUTCMonth() !== month - 1 ||
    date.getUTCDate() !== day ||
    hour > 23 ||
    minute > 59 ||
    second > 59
  ) {
    return null;
  }

  const startedAt = date.toISOString();
  const vm = scaleSet ? `${scaleSet}/${vmName}` : vmName;
  const when = startedAt.replace('T', ' ').replace('Z', ' UTC');
  return {
    subscription,
    resourceGroup,
    vm,
    startedAt,
    label: `${vm}, capture of ${when}`,
  };
}
