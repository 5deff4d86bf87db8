/**
 * Progress on standard error: lines done, the rate and the time left — rewritten in place on a
 * terminal, a line every few seconds otherwise (a log keeps them readable).
 */
export function progressPrinter(out: NodeJS.WritableStream & { isTTY?: boolean }, clock: () => number = () => performance.now()) {
  const started = clock();
  let lastPrinted = started;
  let printed = false;
  const print = (p: { line: number; lines: number }) => {
    const now = clock();
    if (now - lastPrinted < (out.isTTY ? 200 : 5000)) return;
    lastPrinted = now;
    const seconds = (now - started) / 1000;
    const rate = seconds > 0 ? p.line / seconds : 0;
    const left = rate > 0 ? Math.max(0, (p.lines - p.line) / rate) : null;
    const text =
      `取り込み中 ${p.line.toLocaleString('en-US')}/${p.lines.toLocaleString('en-US')} 行, ${Math.round(rate).toLocaleString('en-US')} 行/秒` +
      (left === null ? '' : `, 残り約 ${Math.ceil(left)} 秒`) +
      ` (importing: line ${p.line} of ${p.lines}, ${Math.round(rate)} lines/s${left === null ? '' : `, ETA ${Math.ceil(left)} s`})`;
    out.write(out.isTTY ? `\r${text}` : `${text}\n`);
    printed = true;
  };
  return Object.assign(print, {
    done: () => {
      if (printed && out.isTTY) out.write('\n');
    },
  });
}
