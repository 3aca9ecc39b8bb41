import type { ReporterFactory } from '../reporter.js';

/** One JSON document `{"records": […], "summary": {…}}`, written as records arrive. */
export const json: ReporterFactory = (output) => {
  let first = true;
  return {
    async onRecord(record) {
      await output.write(`${first ? '{"records":[\n' : ',\n'}${JSON.stringify(record)}`);
      first = false;
    },
    onEnd: (summary) => output.write(`${first ? '{"records":[' : '\n'}],\n"summary":${JSON.stringify(summary, null, 2)}}\n`),
  };
};
