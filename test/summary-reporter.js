/** Prints one closing line, "jest: N passed, N failed", after Jest's own summary. */
class SummaryReporter {
	onRunComplete(_contexts, results) {
		const skipped = results.numPendingTests + results.numTodoTests;
		const line = `jest: ${results.numPassedTests} passed, ${results.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}\n`;
		// Jest prints its summary after the custom reporters have run: write at exit to come last.
		process.once('exit', () => process.stderr.write(line));
	}
}
module.exports = SummaryReporter;
