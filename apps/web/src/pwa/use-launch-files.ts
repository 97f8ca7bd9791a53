import { useEffect, useRef } from 'react';

/**
 * The File Handling API's launch queue (Chromium, for an installed app):
 * a capture opened with Capscope from the desktop arrives here. Not in
 * TypeScript's DOM library yet, so declared as far as it is used.
 */
interface LaunchParams {
  readonly files: readonly FileSystemFileHandle[];
}
interface LaunchQueue {
  setConsumer(consumer: (params: LaunchParams) => void): void;
}
declare global {
  interface Window {
    readonly launchQueue?: LaunchQueue;
  }
}

/**
 * Opens the file the app was launched with, if any (the first of several:
 * the app reads one capture at a time). Browsers without file handlers
 * never call it.
 */
export function useLaunchFiles(onFile: (file: File) => void): void {
  const latest = useRef(onFile);
  useEffect(() => {
    latest.current = onFile;
  });

  useEffect(() => {
    window.launchQueue?.setConsumer((params) => {
      const [handle] = params.files;
      if (!handle) return;
      handle.getFile().then(
        (file) => latest.current(file),
        (error: unknown) =>
          console.info('launch: the file could not be read:', String(error)),
      );
    });
  }, []);
}
