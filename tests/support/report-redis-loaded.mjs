// A preload for the real entry point (spawnMain's `preloads`): at exit, prints whether the Redis client was
// ever loaded. @redis/client is CommonJS, so once @keyv/redis imports it, it is in require.cache.
import { createRequire } from 'node:module';
import { sep } from 'node:path';

const require = createRequire(import.meta.url);
process.on('exit', () => {
  const loaded = Object.keys(require.cache).some((file) => file.includes(`${sep}@redis${sep}client${sep}`));
  process.stderr.write(`redis client loaded: ${loaded}\n`);
});
