/** What a progress bar draws on: a stream that may be a terminal. */
export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean | undefined;
}

/** A one-line progress bar, redrawn in place. */
export interface ProgressBar {
  /** Draws `loaded` of `total`. */
  update(progress: { readonly loaded: number; readonly total: number }): void;
  /** Wipes the bar, leaving the cursor where the bar began. */
  clear(): void;
}

const NO_BAR: ProgressBar = { update() {}, clear() {} };

/**
 * A progress bar such as `[#####...............] 120/826`, or one that draws nothing when the
 * stream is not a terminal: a `\r` redraw would litter a log file or a pipe.
 */
export function createProgressBar(stream: ProgressStream, width = 20): ProgressBar {
  if (!stream.isTTY) return NO_BAR;
  let drawn = 0;
  return {
    update({ loaded, total }) {
      const filled = total > 0 ? Math.min(width, Math.round((width * loaded) / total)) : width;
      const text = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${loaded}/${total}`;
      // Padded to the last drawing's length, so that a shorter line leaves no tail behind.
      stream.write(`\r${text.padEnd(drawn)}`);
      drawn = Math.max(drawn, text.length);
    },
    clear() {
      if (drawn === 0) return;
      stream.write(`\r${' '.repeat(drawn)}\r`);
      drawn = 0;
    },
  };
}
