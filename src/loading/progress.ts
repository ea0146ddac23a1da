/**
 * A terminal progress bar for long loads (DESIGN §9: long work shows
 * progress): done/total, percentage, rate and estimated time left. On a TTY
 * it redraws one line in place at most ten times a second; otherwise (CI
 * logs, files) it prints a plain line every `intervalMs`.
 */

/** Where the bar writes: a stream with an optional TTY flag and width. */
export interface ProgressOutput {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** Options of a progress bar. */
export interface ProgressOptions {
  label: string;
  /** The number of items expected, when known. */
  total?: number;
  output?: ProgressOutput;
  /** Interval of plain lines when the output is not a TTY. */
  intervalMs?: number;
  now?: () => number;
}

/** A progress bar; call `tick` as items finish, `log` for messages, `finish` at the end. */
export class ProgressBar {
  private done = 0;
  private drawnAt = 0;
  private lineShown = false;
  private readonly startedAt: number;
  private readonly output: ProgressOutput;
  private readonly now: () => number;

  constructor(private readonly options: ProgressOptions) {
    this.output = options.output ?? process.stderr;
    this.now = options.now ?? (() => performance.now());
    this.startedAt = this.now();
    this.drawnAt = this.startedAt;
  }

  /** Sets the expected total (e.g. once a first pass has counted the items). */
  setTotal(total: number): void {
    this.options.total = total;
  }

  /** Counts `n` more items done and redraws when it is time. */
  tick(n = 1): void {
    this.done += n;
    const now = this.now();
    const interval = this.output.isTTY ? 100 : (this.options.intervalMs ?? 5000);
    if (now - this.drawnAt >= interval) {
      this.drawnAt = now;
      this.draw(now);
    }
  }

  /** Prints a message above the bar without garbling it. */
  log(line: string): void {
    this.clear();
    this.output.write(`${line}\n`);
    if (this.output.isTTY && this.done > 0) this.draw(this.now());
  }

  /** Draws the final state and ends the line. Returns the rate in items per second. */
  finish(): number {
    const now = this.now();
    this.clear();
    const seconds = (now - this.startedAt) / 1000;
    const rate = seconds > 0 ? this.done / seconds : 0;
    this.output.write(`${this.options.label}: ${count(this.done)} in ${duration(seconds)} (${count(Math.round(rate))}/s)\n`);
    return rate;
  }

  /** The text of the bar at time `now` (milliseconds, same clock as the constructor's). */
  render(now: number): string {
    const seconds = Math.max((now - this.startedAt) / 1000, 1e-9);
    const rate = this.done / seconds;
    const total = this.options.total;
    const rateText = `${count(Math.round(rate))}/s`;
    if (!total) return `${this.options.label} ${count(this.done)}  ${rateText}  ${duration(seconds)} elapsed`;
    const fraction = Math.min(this.done / total, 1);
    const left = rate > 0 ? Math.max(total - this.done, 0) / rate : Infinity;
    const width = Math.max(10, Math.min(30, (this.output.columns ?? 80) - 70));
    const filled = Math.round(fraction * width);
    const bar = this.output.isTTY ? `[${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ` : '';
    return `${this.options.label} ${bar}${(fraction * 100).toFixed(1).padStart(5)}%  ${count(this.done)}/${count(total)}  ${rateText}  ETA ${duration(left)}`;
  }

  private draw(now: number): void {
    const text = this.render(now);
    if (this.output.isTTY) {
      this.output.write(`\r\x1b[2K${text}`);
      this.lineShown = true;
    } else {
      this.output.write(`${text}\n`);
    }
  }

  private clear(): void {
    if (this.lineShown) this.output.write('\r\x1b[2K');
    this.lineShown = false;
  }
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** Seconds as `42s`, `3m05s` or `1h02m`; `?` when unknown. */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
