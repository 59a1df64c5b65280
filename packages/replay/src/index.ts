export { createReplayModel, replayModelId, REPLAY_PRICING, REPLAY_UNITS_PER_USD, type ReplayModelOptions } from './replay-model.js';
export { loadRecordedRows, parseRecordedRows, type RecordedBook, type RecordedRow } from './recorded-rows.js';
