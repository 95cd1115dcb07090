/** Image tags for CI (see image-tag.ts). Prints one JSON value (or the checked ref) on stdout. */
import { run } from './cli';

try {
  console.log(run(process.argv.slice(2)));
} catch (e) {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(e instanceof Error && e.name === 'ImageTagError' ? 2 : 1);
}
