// Preloaded with `node --import`: prints the process's peak RSS (bytes) on stderr as it exits.
process.on("exit", () => {
  process.stderr.write(`\nbench-peak-rss=${process.resourceUsage().maxRSS * 1024}\n`);
});
