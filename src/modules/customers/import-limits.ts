/**
 * From this many rows an import into a table no larger than itself is a bulk load: it builds the
 * name search index after writing instead of adding ~20 keys per customer to it row by row, about
 * half the index work and a third of the index size (docs/benchmarks.md). Meanwhile name searches
 * read the table (slow), and while the index is built writes to customers wait.
 * (Apart from the import service so that the CLI's help can say it without loading the service.)
 */
export const NAME_INDEX_REBUILD_FROM = 100_000;
