/**
 * Preloaded into the app's process by the benchmark only (`node --import <this> dist/main.js`), so the real
 * entry point runs unchanged and carries no diagnostics code. It watches the event loop with
 * `monitorEventLoopDelay` and answers the benchmark over the IPC channel Node opens for a child spawned with
 * an 'ipc' stdio slot. Without that channel (any normal start) it does nothing.
 *
 * Messages: { type: 'probe:reset' } clears the histogram and the peak; { type: 'probe:sample', id } is
 * answered with { type: 'probe:sample', id, loopDelay: { p50, p99, max, count } (ms), rss, heapUsed, peakRss };
 * { type: 'probe:profile-start' } starts a CPU profile (inspector), { type: 'probe:profile-stop', file } writes it
 * to `file` as a .cpuprofile (Chrome DevTools, speedscope).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface ProbeSample {
  readonly type: 'probe:sample';
  readonly id: number;
  readonly loopDelay: { readonly p50: number; readonly p99: number; readonly max: number; readonly count: number };
  readonly rss: number;
  readonly heapUsed: number;
  /** Highest RSS seen by the 20 ms sampler since the last reset. */
  readonly peakRss: number;
}

if (typeof process.send === 'function') {
  // 10 ms is the default resolution: the histogram records how late each 10 ms timer fired.
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  // Connected only when a CPU profile is asked for (`BENCH_CPU_PROF`): the inspector costs nothing until then.
  let profiler: Session | undefined;
  histogram.enable();
  let peakRss = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    const rss = process.memoryUsage.rss();
    if (rss > peakRss) peakRss = rss;
  }, 20);
  sampler.unref();

  process.on('message', (message: { type?: string; id?: number }) => {
    if (message?.type === 'probe:reset') {
      histogram.reset();
      peakRss = process.memoryUsage.rss();
      return;
    }
    if (message?.type === 'probe:profile-start') {
      if (!profiler) {
        profiler = new Session();
        profiler.connect();
      }
      const session = profiler;
      session.post('Profiler.enable', () => session.post('Profiler.start'));
      return;
    }
    if (message?.type === 'probe:profile-stop') {
      const file = (message as { file?: string }).file;
      profiler?.post('Profiler.stop', (err, result) => {
        if (!err && file) writeFileSync(file, JSON.stringify(result.profile));
      });
      return;
    }
    if (message?.type === 'probe:sample') {
      const ms = (ns: number) => ns / 1e6;
      const rss = process.memoryUsage.rss();
      if (rss > peakRss) peakRss = rss;
      const sample: ProbeSample = {
        type: 'probe:sample',
        id: message.id ?? 0,
        loopDelay: {
          p50: ms(histogram.percentile(50)),
          p99: ms(histogram.percentile(99)),
          max: ms(histogram.max),
          count: histogram.count,
        },
        rss,
        heapUsed: process.memoryUsage().heapUsed,
        peakRss,
      };
      process.send?.(sample);
    }
  });
  // The channel must not keep the app alive, nor change how it shuts down.
  process.channel?.unref();
}
