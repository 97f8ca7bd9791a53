import { fuzz } from './fuzz-runner.js';

/** `npm run fuzz [SECONDS] [SEED]`: a longer run than the one in npm test. */
const seconds = Number(process.argv[2] ?? 300);
const seed = Number(process.argv[3] ?? (Date.now() >>> 0));
const result = await fuzz(seed, seconds);
console.log(`fuzz: seed ${seed}, ${seconds} s, ${result.inputs} inputs, ` +
  `${result.refused} refused as not a capture, ${result.problems} problems`);
if (result.failure) {
  console.error(`fuzz: FAILED\n${result.failure}`);
  process.exitCode = 1;
}
