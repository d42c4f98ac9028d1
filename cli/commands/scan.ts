// sm-guardrails scan: sweeps every existing resource (sweep/), live or on exported describe outputs.
import { Option } from 'commander';
import type { RegisterCommand } from '../context.ts';
import type { ScanOptions } from '../scan.ts';

const DETAILS = `
Evaluates every notebook instance, Studio domain, user profile, space, app, app image config and lifecycle
configuration with the same rules and actions as the event path (tag, stop or deferred stop, notify), with one alert digest per account and region instead of one
alert per resource; a resource whose status tag already names its findings is not alerted again.

--simulate PATH: the JSON that \`aws sagemaker describe-notebook-instance\`, \`describe-domain\`,
\`describe-user-profile\`, \`describe-space\`, \`describe-app\`, \`describe-app-image-config\`,
\`describe-notebook-instance-lifecycle-config\` and \`describe-studio-lifecycle-config\` print (a file, an
array, or a directory of *.json), each optionally with the \`Tags\`
list of \`aws sagemaker list-tags\` added at the top level. Account, region and partition come from the ARNs;
the resources are acted out in emulated accounts and scanned through the real code path.
--live: the default credential chain (AWS_ENDPOINT_URL honoured) and the caller's account; the digest goes to
SM_GUARDRAILS_TOPIC_ARN when it is set. The deployed guardrails honour an exemption only from the grant they
recorded: --stage STAGE (or --table NAME, in AWS_REGION) reads those grants, and a scan that may change resources
requires one (exit 2 without). With --dry-run and neither, the grants are not read: a resource with an exemption
tag is unverifiable, and the output says so.

Examples:
  sm-guardrails scan --simulate sweep/samples --html report.html
  sm-guardrails scan --live --dry-run --stage prod --regions us-east-1,eu-west-1 --json | jq -c 'select(.verdict != "compliant")'
  sm-guardrails scan --live --stage prod --accounts 111122223333,444455556666 --member-role sm-guardrails-member --html org.html`;

export const registerScan: RegisterCommand = (program, cli) => {
  program
    .command('scan')
    .description('sweep every existing resource with the same rules and actions as the event path')
    .option('--config <file>', 'the policy file (default: the built-in default policy)')
    .addOption(
      new Option('--simulate <path>', 'scan exported describe outputs in a simulated account').conflicts(
        'live',
      ),
    )
    .option('--live', 'scan the account of the default AWS credentials (or AWS_ENDPOINT_URL)')
    .option('--dry-run', 'with --live: read calls only, nothing is changed or sent')
    .option('--regions <a,b>', 'regions to sweep (default: AWS_REGION)')
    .option(
      '--accounts <a,b>',
      'with --live: accounts to sweep (default: your own); others through the member role',
    )
    .option(
      '--member-role <name>',
      'the member role in each account (default: SM_GUARDRAILS_MEMBER_ROLE_NAME)',
    )
    .option(
      '--stage <stage>',
      'with --live: the deployed stage whose exemption grants are honoured (its table sm-guardrails-<stage>-records)',
    )
    .option('--table <name>', "with --live: the exemption grants' table itself, instead of --stage")
    .option('--concurrency <n>', 'AWS calls in flight per account (default 5)')
    .option('--json', 'one JSON line per resource, then one {"summary": ...} line')
    .option('--html <file>', 'also write a self-contained HTML report')
    .addHelpText('after', DETAILS)
    .action(
      cli.action(async (options: ScanOptions) => {
        const { runScan } = await import('../scan.ts');
        return runScan(options, cli.io);
      }),
    );
};
