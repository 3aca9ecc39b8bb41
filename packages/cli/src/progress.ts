import type { ScanProgress } from '@clearance/core';
import { formatBytes, formatCount } from '@clearance/report';

/**
 * One status line on a terminal, rewritten at most ten times a second. Hand-written: the total is
 * unknown while the source is still being listed, which is not what progress-bar libraries are for.
 */
export function progressLine(stream: NodeJS.WriteStream): { update(p: ScanProgress): void; clear(): void } {
  let last = 0;
  let shown = false;
  return {
    update(p) {
      const now = performance.now();
      if (now - last < 100) return;
      last = now;
      const secs = Math.max(p.elapsedMs / 1000, 0.001);
      const line = `${p.phase === 'markers' ? 'markers' : 'scanning'} ${formatCount(p.files)} files · ${formatBytes(p.bytes)} · ${formatCount(Math.round(p.files / secs))} files/s · ${formatBytes(p.bytesRead / secs)}/s${p.errors > 0 ? ` · ${formatCount(p.errors)} with errors` : ''}`;
      stream.write(`\r\u001b[2K${line.slice(0, Math.max(20, (stream.columns || 80) - 1))}`);
      shown = true;
    },
    clear() {
      if (shown) stream.write('\r\u001b[2K');
      shown = false;
    },
  };
}
