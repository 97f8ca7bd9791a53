import type { PcapLayout } from './header-kernel.js';
import { BATCH_RECORDS } from './header-kernel.js';
import * as W from './header-kernel-layout.js';
import type {
  EmitRecords,
  HeaderSink,
  PcapEngine,
} from './header-kernel-reader.js';
import { HeaderReader } from './header-kernel-reader.js';

/**
 * The WebAssembly header kernel (wasm/kernel.ts, built to
 * dist/kernel.wasm) behind the same HeaderReader as the TypeScript one.
 * No Node or DOM API here: Node callers read the file
 * (header-kernel-node.ts), browsers fetch a URL they are given.
 */

/**
 * A compiled kernel.wasm: a WebAssembly.Module. The parser is built
 * against ES2022 alone, which has no types for the WebAssembly API, so
 * this file names the few parts of it that it uses.
 */
export interface HeaderKernelModule {
  readonly [moduleBrand]: true;
}
declare const moduleBrand: unique symbol;

interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

interface WasmApi {
  compile(bytes: ArrayBuffer | ArrayBufferView): Promise<HeaderKernelModule>;
  instantiate(
    module: HeaderKernelModule,
    imports: object,
  ): Promise<{ exports: object }>;
}

const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi })
  .WebAssembly;

/** What wasm/kernel.ts exports. */
interface KernelExports {
  memory: WasmMemory;
  heapBase(): number;
  recordWords(): number;
  configure(
    littleEndian: number,
    nanosPerTick: number,
    linkType: number,
    timeDigits: number,
  ): void;
  decode(
    input: number,
    pos: number,
    end: number,
    baseOffset: number,
    output: number,
    maxRecords: number,
  ): number;
  lastStoppedAt(): number;
  lastNeed(): number;
  lastFault(): number;
  lastZeroLength(): number;
}

/** Compiles the kernel from the bytes of kernel.wasm. */
export function compileHeaderKernel(
  bytes: ArrayBuffer | ArrayBufferView,
): Promise<HeaderKernelModule> {
  return wasmApi.compile(bytes);
}

/** Fetches kernel.wasm from `url` and compiles it. */
export async function fetchHeaderKernel(
  url: string | URL,
): Promise<HeaderKernelModule> {
  const response = await fetch(url);
  if (!response.ok) {
    throw new Error(`kernel: fetching ${url} failed with ${response.status}`);
  }
  return compileHeaderKernel(await response.arrayBuffer());
}

/**
 * A HeaderReader whose classic pcap records go through the WebAssembly
 * kernel; each reader gets an instance, and so a memory, of its own.
 */
export async function createWasmHeaderReader(
  sink: HeaderSink,
  module: HeaderKernelModule,
): Promise<HeaderReader> {
  return new HeaderReader(sink, await instantiatePcapEngine(module));
}

/** The engine alone, for callers that frame the file header themselves. */
export async function instantiatePcapEngine(
  module: HeaderKernelModule,
): Promise<PcapEngine> {
  const instance = await wasmApi.instantiate(module, {});
  return new WasmPcapEngine(instance.exports as unknown as KernelExports);
}

const PAGE_BYTES = 64 * 1024;
/**
 * Chunks are copied into the module's memory in pieces of at most 1 MiB,
 * so that the kernel reads bytes the copy just left in the cache; a
 * record longer than that grows the input area to fit it.
 */
const INPUT_PIECE_BYTES = 1024 * 1024;

/**
 * Memory above the module's own data:
 *
 *   heapBase | output: BATCH_RECORDS records | input: leftover + piece
 *
 * The input area starts with the bytes left over from the last piece (a
 * record that straddled it), so the kernel always sees whole records in
 * one run of memory.
 */
class WasmPcapEngine implements PcapEngine {
  need = 16;
  faultOffset = -1;
  faultLength = 0;
  private littleEndian = true;
  private readonly outputAt: number;
  private readonly inputAt: number;
  private inputCapacity = INPUT_PIECE_BYTES;
  private memoryBytes!: Uint8Array;
  private words!: Int32Array;
  /** Bytes at the start of the input area kept from the last piece. */
  private carryLength = 0;
  /** File offset of the first byte of the input area. */
  private carryOffset = 0;

  constructor(private readonly kernel: KernelExports) {
    if (kernel.recordWords() !== W.RECORD_WORDS) {
      throw new Error(
        `kernel: kernel.wasm writes ${kernel.recordWords()}-word records, ` +
          `this code reads ${W.RECORD_WORDS}; rebuild the parser`);
    }
    this.outputAt = align(kernel.heapBase(), 64);
    this.inputAt = this.outputAt + BATCH_RECORDS * W.RECORD_BYTES;
    this.ensureMemory(this.inputAt + this.inputCapacity);
  }

  get leftoverBytes(): number {
    return this.carryLength;
  }

  get leftoverOffset(): number {
    return this.carryOffset;
  }

  start(layout: PcapLayout): void {
    this.littleEndian = layout.littleEndian;
    this.kernel.configure(layout.littleEndian ? 1 : 0, layout.nanosPerTick,
      layout.linkType, layout.timeDigits);
  }

  push(chunk: Uint8Array, chunkOffset: number, emit: EmitRecords): void {
    if (this.faultOffset >= 0) return;
    this.carryOffset = chunkOffset - this.carryLength;
    let taken = 0;
    while (taken < chunk.length) {
      const piece = Math.min(this.inputCapacity - this.carryLength,
        chunk.length - taken);
      this.memoryBytes.set(chunk.subarray(taken, taken + piece),
        this.inputAt + this.carryLength);
      taken += piece;

      const filled = this.carryLength + piece;
      const used = this.run(filled, emit);
      if (this.faultOffset >= 0) return;
      if (used < filled) {
        this.memoryBytes.copyWithin(this.inputAt, this.inputAt + used,
          this.inputAt + filled);
      }
      this.carryLength = filled - used;
      this.carryOffset += used;
      if (this.need > this.inputCapacity) this.growInput(this.need);
    }
  }

  /** Decodes input[0, filled) batch by batch; returns where it stopped. */
  private run(filled: number, emit: EmitRecords): number {
    const kernel = this.kernel;
    let pos = 0;
    for (;;) {
      const count = kernel.decode(this.inputAt, pos, filled, this.carryOffset,
        this.outputAt, BATCH_RECORDS);
      if (count > 0) {
        const bytes = this.memoryBytes.subarray(this.inputAt,
          this.inputAt + filled);
        emit(this.words, count, bytes, kernel.lastZeroLength());
      }
      pos = kernel.lastStoppedAt();
      if (kernel.lastFault()) {
        this.faultOffset = this.carryOffset + pos;
        const at = this.inputAt + pos + 8;
        this.faultLength = new DataView(this.memoryBytes.buffer)
          .getUint32(at, this.littleEndian);
        return pos;
      }
      const need = kernel.lastNeed();
      if (need > 0) {
        this.need = need;
        return pos;
      }
    }
  }

  /** Makes the input area hold `bytes` (a record of up to 64 MiB). */
  private growInput(bytes: number): void {
    let capacity = this.inputCapacity;
    while (capacity < bytes) capacity *= 2;
    this.inputCapacity = capacity;
    this.ensureMemory(this.inputAt + capacity);
  }

  private ensureMemory(bytes: number): void {
    const memory = this.kernel.memory;
    const missing = bytes - memory.buffer.byteLength;
    if (missing > 0) memory.grow(Math.ceil(missing / PAGE_BYTES));
    // Growing detaches the old buffer and every view of it.
    this.memoryBytes = new Uint8Array(memory.buffer);
    this.words = new Int32Array(memory.buffer, this.outputAt,
      BATCH_RECORDS * W.RECORD_WORDS);
  }
}

function align(value: number, to: number): number {
  return Math.ceil(value / to) * to;
}
