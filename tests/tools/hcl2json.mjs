// Parses every .tf file of a folder with @cdktf/hcl2json (Terraform's own HCL parser, compiled to WebAssembly) and
// prints { "file.tf": <its JSON> }. A file that is not valid HCL makes it exit 1 naming the file.
import { parse } from '@cdktf/hcl2json';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const folder = process.argv[2];
const parsed = {};
for (const file of readdirSync(folder).filter(f => f.endsWith('.tf')).sort()) {
  try {
    parsed[file] = await parse(file, readFileSync(join(folder, file), 'utf8'));
  } catch (error) {
    console.error(`${file}: ${error.message ?? error}`);
    process.exit(1);
  }
}
console.log(JSON.stringify(parsed));
