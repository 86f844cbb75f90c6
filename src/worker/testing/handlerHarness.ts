// The worker handler's test harness: a LabHandler with a stubbed postMessage that records every message and its
// transfer list (web-llm's pattern), and helpers to wait for messages. Shared by the handler and fault tests.
import { LabHandler } from '../handler';
import type { TrainConfig } from '../../core/config/config';
import { PROTOCOL_VERSION, type UiToWorker, type WorkerToUi } from '../protocol';

export type Msg<T extends WorkerToUi['type']> = Extract<WorkerToUi, { type: T }>;

export async function until(pred: () => boolean, ms = 20_000) {
  const t0 = Date.now();
  while (!pred()) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** A fresh handler with a stubbed postMessage that records every message and its transfer list. */
export function makeHandler(config: TrainConfig, checkpointEvery?: number) {
  const got: WorkerToUi[] = [];
  const transfers: Transferable[][] = [];
  const h = new LabHandler(
    (m, tr) => {
      got.push(m);
      transfers.push(tr);
    },
    { reportMs: 20, sampleMs: 50, checkpointEvery },
  );
  const send = (msg: UiToWorker) => {
    h.onmessage({ data: msg });
    return h.idle();
  };
  const ofType = <T extends WorkerToUi['type']>(t: T, from = 0) =>
    got.slice(from).filter((m): m is Msg<T> => m.type === t);
  const loadPack = async (bytes: ArrayBuffer, name: string, done: WorkerToUi['type'] = 'sample') => {
    const n = got.length;
    h.onmessage({ data: { type: 'loadPack', source: { kind: 'bytes', bytes, name } } });
    await until(() => ofType(done, n).length > 0 || ofType('packError', n).length > 0, 90_000); // a busy machine: building a session can take a while
    await h.idle();
    return n;
  };
  const init = (lanes: UiToWorker & { type: 'init' } extends { lanes: infer L } ? L : never = [{ id: 0, config }]) =>
    send({ type: 'init', version: PROTOCOL_VERSION, backend: 'cpu', lanes, evalEvery: 5, evalSamples: 6 });
  return { h, got, transfers, send, ofType, loadPack, init };
}
export type Harness = ReturnType<typeof makeHandler>;
