/** Input names: the action's public interface, declared once. */
export const Input = {
  Provider: 'provider',
  FileIds: 'file-ids',
  FileIdsFile: 'file-ids-file',
  ApiKey: 'api-key',
  CustomerId: 'customer-id',
  BaseUrl: 'base-url',
  DryRun: 'dry-run',
  FailOn: 'fail-on',
  MaxDeletions: 'max-deletions',
  ProtectedIds: 'protected-ids',
  Concurrency: 'concurrency',
  MaxRetries: 'max-retries',
  TimeoutSeconds: 'timeout-seconds',
  Bulk: 'bulk',
  Shard: 'shard',
  GithubToken: 'github-token',
  CommentOnPr: 'comment-on-pr',
  SelectName: 'select-name',
  SelectPath: 'select-path',
  SelectTags: 'select-tags',
  SelectStatus: 'select-status',
  OlderThan: 'older-than',
  KeepNewest: 'keep-newest',
  GraphId: 'graph-id',
  WorkflowId: 'workflow-id',
  MaxRate: 'max-rate',
  PurgeCdn: 'purge-cdn',
  ExcludeName: 'exclude-name',
  ExcludePath: 'exclude-path',
  ExcludeTags: 'exclude-tags',
  SelectAttached: 'select-attached',
  PlanFile: 'plan-file',
  PlanSha256: 'plan-sha256',
  PlanMaxAge: 'plan-max-age'
} as const
export type InputName = (typeof Input)[keyof typeof Input]

/** The input that gives each scope of a listing. */
export const ScopeInput = {
  graphId: Input.GraphId,
  workflowId: Input.WorkflowId,
  customerId: Input.CustomerId
} as const satisfies Record<string, InputName>

/** Output names, declared once. */
export const Output = {
  Deleted: 'deleted',
  Missing: 'missing',
  Failed: 'failed',
  Planned: 'planned',
  DeletedCount: 'deleted-count',
  MissingCount: 'missing-count',
  FailedCount: 'failed-count',
  ReportFile: 'report-file',
  Selected: 'selected',
  SelectedCount: 'selected-count',
  CdnFailed: 'cdn-failed',
  CdnFailedCount: 'cdn-failed-count',
  ReportSha256: 'report-sha256'
} as const
export type OutputName = (typeof Output)[keyof typeof Output]

/** Numeric inputs: the allowed range (inclusive) and the default, declared once; action.yml must agree. */
export const NumericInput = {
  [Input.MaxDeletions]: { min: 1, max: 1_000_000, default: 1000 },
  [Input.Concurrency]: { min: 1, max: 64, default: 8 },
  [Input.MaxRetries]: { min: 0, max: 10, default: 3 },
  [Input.TimeoutSeconds]: { min: 1, max: 600, default: 30 }
} as const satisfies Partial<Record<InputName, { min: number; max: number; default: number }>>
export type NumericInputName = keyof typeof NumericInput

/** max-rate, requests per minute: empty for no cap. 100,000 a minute is far above any provider's limit. */
export const MAX_RATE_RANGE = { min: 1, max: 100_000 } as const

/** plan-max-age when not given: a plan is applied within a day of its dry run. */
export const DEFAULT_PLAN_MAX_AGE = '24h'

/** A list output larger than this is set to '' and the report file is the place to read it. */
export const MAX_LIST_OUTPUT_BYTES = 1024 * 1024
/** Provider reasons are cut to this length. */
export const MAX_REASON_LENGTH = 200
/** Violations name at most this many invalid IDs each; the rest are counted. */
export const MAX_LISTED_INVALID_IDS = 20
/** Rows of not-deleted IDs in the job summary. */
export const MAX_SUMMARY_ROWS = 200
/** Rows of selected (and of spared) files in the job summary. */
export const MAX_SUMMARY_SELECTED_ROWS = 200
/** A listing longer than this fails closed: nothing is deleted. */
export const MAX_LISTED_ITEMS = 1_000_000
export const MAX_LIST_PAGES = 10_000
/** Per-ID annotations; the runner shows ten error annotations per step, one is kept for the roll-up. */
export const MAX_ID_ANNOTATIONS = 9
/** IDs named in the failure message. */
export const MAX_VERDICT_IDS = 10
/**
 * Per-ID lines a dry run logs (planned, selected and spared files together); the rest are counted in one line that
 * points to the report, which lists every one. A million lines would be some 20 MB of log that nobody reads.
 */
export const MAX_LOGGED_ID_LINES = 1000
/** IDs named in the line a run stopped at once (a second stop signal) leaves, before the rest are counted. */
export const MAX_NAMED_UNKNOWN_IDS = 10
/** purge-cdn: wait gives ImageKit this long in all to say each purge is completed. */
export const CDN_WAIT_MS = 60_000
/** purge-cdn: wait asks each purge's status at most this often, then half as often each round, down to the next. */
export const CDN_STATUS_SPACING_MS = 500
export const MAX_CDN_STATUS_SPACING_MS = 4000
/** CDN purges that failed, warned of one by one at most; the rest are counted. */
export const MAX_CDN_WARNINGS = 5
