/**
 * The migration assistant: finds the async bubble of a program that uses the blocking twins, and
 * rewrites it to the async twins one bounded step at a time, refusing any step that would break
 * the build. Node.js only; needs ts-morph (`npm install -D ts-morph`), loaded on first use.
 *
 * @module
 */
export { migrateAll } from './all.js';
export { analyzeProject } from './analyze.js';
export { formatBubble } from './bubble.js';
export { formatMigration, formatMigrationAll, runMigrateCommand } from './cli.js';
export { migrate } from './migrate.js';
export type {
  AnalyzeOptions,
  Attention,
  BlockingCall,
  BubbleNode,
  BubbleReport,
  ChangedFile,
  CommandIo,
  ConvertedFunction,
  DiagnosticInfo,
  FileSummary,
  MapForm,
  MigrateAllOptions,
  MigrateAllResult,
  MigrateOptions,
  MigrationResult,
  MigrationScope,
  SignatureChange,
  SourceLocation,
  StepSummary,
  Strand,
  TwinOwner,
  UnitKind,
  UseKind,
} from './types.js';
