// The shared corpus and the totals tshark and capinfos recorded for it,
// as the browser tests of the hardening and offline work read them.

import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ShownTotals } from './page-helpers.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** CI checks the shared corpus out beside the repository. */
export const CAPTURES_DIR = path.resolve(REPO_ROOT, '../shared/captures');

/** The parts of a `.truth.json` these tests read. */
interface Truth {
  capinfos: { packets: number; data_size_bytes: number };
  tshark: { conversations: Array<{ proto: string }> };
}

export interface CorpusCapture {
  path: string;
  fileBytes: number;
  /** Totals as the page shows them, flows counted as tshark's. */
  expected: Omit<ShownTotals, 'flows'>;
}

export async function corpusCapture(name: string): Promise<CorpusCapture> {
  const filePath = path.join(CAPTURES_DIR, name);
  const truth = JSON.parse(
    await readFile(`${filePath}.truth.json`, 'utf8'),
  ) as Truth;
  const conversations = truth.tshark.conversations;
  return {
    path: filePath,
    fileBytes: (await stat(filePath)).size,
    expected: {
      packets: truth.capinfos.packets,
      bytes: truth.capinfos.data_size_bytes,
      tcpFlows: conversations.filter((c) => c.proto === 'tcp').length,
      udpFlows: conversations.filter((c) => c.proto === 'udp').length,
    },
  };
}
