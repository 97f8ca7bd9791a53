// The floor under any Node reader of a capture: starts Node, reads the
// file as the command line does (2 MiB chunks into two buffers in turn)
// and touches a byte of every 64 so that the pages are really read; does
// nothing else. `npm run bench` times it beside `capscope flows`.
import { open } from 'node:fs/promises';

const CHUNK_BYTES = 2 * 1024 * 1024;
/** A cache line: reading one byte of each brings the whole line in. */
const STRIDE_BYTES = 64;

const file = await open(process.argv[2]);
const buffers = [new Uint8Array(CHUNK_BYTES), new Uint8Array(CHUNK_BYTES)];
let position = 0;
let turn = 0;
let sum = 0;
let next = file.read(buffers[0], 0, CHUNK_BYTES, 0);
for (;;) {
  const { bytesRead } = await next;
  if (bytesRead === 0) break;
  const chunk = buffers[turn];
  position += bytesRead;
  turn = 1 - turn;
  next = file.read(buffers[turn], 0, CHUNK_BYTES, position);
  for (let i = 0; i < bytesRead; i += STRIDE_BYTES) sum += chunk[i];
}
await file.close();
// The sum is printed so that the reads cannot be left out as unused.
console.log(`${position} bytes read, checksum ${sum}`);
