import type {
  LoopResult,
  PcapLayout,
  RecordLoop,
} from './header-kernel-engine.js';
import { assertRecordWords, BATCH_RECORDS } from './header-kernel-engine.js';
import * as W from './header-kernel-layout.js';
import type { HeaderSink } from './header-kernel-reader.js';
import { HeaderReader } from './header-kernel-reader.js';
import type { WasmMemory, WasmModule } from './wasm-api.js';
import { WASM_PAGE_BYTES, wasmApi } from './wasm-api.js';

/**
 * The WebAssembly header kernel (wasm/kernel.ts, built to
 * dist/kernel.wasm) behind the same HeaderReader as the TypeScript one.
 * No Node or DOM API here: Node callers read the file
 * (header-kernel-node.ts), browsers fetch a URL they are given.
 */

/** A compiled kernel.wasm. */
export type HeaderKernelModule = WasmModule;

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
  return new HeaderReader(sink, await instantiateRecordLoop(module));
}

/** The kernel's record loop in an instance of its own. */
export async function instantiateRecordLoop(
  module: HeaderKernelModule,
): Promise<RecordLoop> {
  const instance = await wasmApi.instantiate(module, {});
  return new WasmRecordLoop(instance.exports as unknown as KernelExports);
}

/**
 * The module's memory above its own data:
 *
 *   heapBase | records: BATCH_RECORDS of them | staging area
 */
class WasmRecordLoop implements RecordLoop {
  staging = new Uint8Array(0);
  words = new Int32Array(0);
  private readonly wordsAt: number;
  private readonly stagingAt: number;

  constructor(private readonly kernel: KernelExports) {
    assertRecordWords(kernel.recordWords(), 'kernel.wasm');
    this.wordsAt = align(kernel.heapBase(), 64);
    this.stagingAt = this.wordsAt + BATCH_RECORDS * W.RECORD_BYTES;
  }

  /** Growing a memory keeps its bytes, so `keep` needs nothing done. */
  grow(bytes: number): void {
    const memory = this.kernel.memory;
    const missing = this.stagingAt + bytes - memory.buffer.byteLength;
    if (missing > 0) memory.grow(Math.ceil(missing / WASM_PAGE_BYTES));
    // Growing detaches the old buffer and every view of it.
    this.staging = new Uint8Array(memory.buffer, this.stagingAt, bytes);
    this.words = new Int32Array(memory.buffer, this.wordsAt,
      BATCH_RECORDS * W.RECORD_WORDS);
  }

  start(layout: PcapLayout): void {
    this.kernel.configure(layout.littleEndian ? 1 : 0, layout.nanosPerTick,
      layout.linkType, layout.timeDigits);
  }

  decode(
    pos: number,
    end: number,
    baseOffset: number,
    maxRecords: number,
    result: LoopResult,
  ): void {
    const kernel = this.kernel;
    result.records = kernel.decode(this.stagingAt, pos, end, baseOffset,
      this.wordsAt, maxRecords);
    result.stoppedAt = kernel.lastStoppedAt();
    result.need = kernel.lastNeed();
    result.fault = kernel.lastFault() !== 0;
    result.zeroLength = kernel.lastZeroLength();
  }
}

function align(value: number, to: number): number {
  return Math.ceil(value / to) * to;
}
