// Azurite, the Azure Storage emulator, started from its npm package for one
// test file: blob service only, in memory, on 127.0.0.1 at a free port,
// with accounts made for the test (AZURITE_ACCOUNTS).

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Azurite prints this once it listens; the port comes from it. */
const LISTENING = /listens on http:\/\/127\.0\.0\.1:(\d+)/;
/** A cold start on a busy two-core machine takes a few seconds. */
const START_TIMEOUT_MS = 30_000;

export interface StorageAccount {
  name: string;
  /** Base64, as storage account keys are. */
  key: string;
}

export interface Azurite {
  /** `http://127.0.0.1:PORT`: path-style URLs add `/ACCOUNT/...`. */
  url: string;
  port: number;
  stop(): Promise<void>;
}

/**
 * Starts azurite-blob with `--inMemoryPersistence --disableTelemetry
 * --skipApiVersionCheck --loose` (STACK.md). Call stop() in a `finally`:
 * a test that dies otherwise leaves it holding the port.
 */
export async function startAzurite(
  accounts: readonly StorageAccount[],
): Promise<Azurite> {
  const require = createRequire(import.meta.url);
  const packageDir = path.dirname(require.resolve('azurite/package.json'));
  const main = path.join(packageDir, 'dist/src/blob/main.js');
  // With in-memory persistence Azurite writes no data; run in a folder of
  // its own all the same, so that nothing it might write lands in the tree.
  // (--location would say so, but Azurite refuses it with in-memory.)
  const workspace = await mkdtemp(path.join(tmpdir(), 'capscope-azurite-'));

  const child = spawn(
    process.execPath,
    [
      main,
      '--blobHost', '127.0.0.1',
      '--blobPort', '0',
      '--inMemoryPersistence',
      '--disableTelemetry',
      '--skipApiVersionCheck',
      '--loose',
      '--silent',
    ],
    {
      env: {
        ...process.env,
        AZURITE_ACCOUNTS: accounts.map((a) => `${a.name}:${a.key}`).join(';'),
      },
      cwd: workspace,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );

  const stop = async () => {
    await kill(child);
    await rm(workspace, { recursive: true, force: true });
  };

  try {
    const port = await listeningPort(child);
    return { url: `http://127.0.0.1:${port}`, port, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function listeningPort(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(
      () => fail(new Error(`Azurite did not start: ${output.slice(-500)}`)),
      START_TIMEOUT_MS,
    );
    const onData = (data: Buffer) => {
      output += data.toString();
      const match = LISTENING.exec(output);
      if (match) {
        cleanUp();
        resolve(Number(match[1]));
      }
    };
    const onExit = (code: number | null) =>
      fail(new Error(`Azurite exited (${code}): ${output.slice(-500)}`));
    const fail = (error: Error) => {
      cleanUp();
      reject(error);
    };
    const cleanUp = () => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      // Keep reading, so that a full pipe never blocks Azurite.
      child.stdout?.resume();
      child.stderr?.resume();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}

/** Ends Azurite, by its own process id, and waits until it is gone. */
function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const force = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
