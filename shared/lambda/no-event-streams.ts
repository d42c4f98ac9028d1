// Lambda bundles only (esbuild alias for @smithy/core/event-streams): the SDK imports the event-stream codec
// only for operations whose input or output is an event stream, which the guardrails never call; the import is
// dynamic, so esbuild cannot drop it (15 KiB). Should a call ever need it, it fails loudly, naming the cause.
function unavailable(): never {
  throw new Error(
    'AWS event streams are not bundled in the guardrails functions (serverless.yml custom.esbuild.alias)',
  );
}

export class EventStreamSerde {
  constructor() {
    unavailable();
  }
}

export const eventStreamSerdeProvider = unavailable;
