// The command line as one module (dist/cli/capscope.js) beside the one
// module per source file that tsc writes: Node then loads one file instead
// of some sixty, which took a small capture's `capscope flows` from about
// 0.15 s to 0.10 s and 60 MB to 53 MB. Threads still load
// dist/cli/share-thread.js and what it imports.
import { defineConfig } from 'rolldown';

export default defineConfig({
  input: 'dist/cli/main.js',
  platform: 'node',
  output: {
    file: 'dist/cli/capscope.js',
    format: 'esm',
    sourcemap: true,
  },
});
