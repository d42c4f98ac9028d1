// Security Hub (restJson1): BatchImportFindings (POST /findings/import) and GetFindings (POST /findings) for
// findings a product imports into its own account. What the emulator holds to, from the API reference and the
// user guide ("BatchImportFindings for finding providers"):
// - the caller's account must be the finding's AwsAccountId, and the default product ARN names that account and
//   the request's region (arn:<partition>:securityhub:<region>:<account>:product/<account>/default); otherwise the
//   finding comes back in FailedFindings (the request itself succeeds), as it does when Security Hub is off;
// - the required top-level attributes must be there (else FailedFindings, InvalidInput); at most 100 findings;
// - a finding is identified by ProductArn and Id; re-importing it updates it, except Note, UserDefinedFields,
//   VerificationState and Workflow, which only BatchUpdateFindings may change after creation;
// - GetFindings filters on at most 10 attributes with at most 20 values each, and returns at most 100 a page
//   (MaxResults 1-100); more is an InvalidInputException;
// - Workflow.Status starts NEW and goes back to NEW from NOTIFIED or RESOLVED when the compliance status
//   changes from PASSED to FAILED or WARNING or NOT_AVAILABLE, or the record state from ARCHIVED to ACTIVE.
import { ApiError } from './errors.ts';
import type { State } from './state.ts';
import type { Params, ServiceHandlers } from './types.ts';

/** Required top-level attributes of every finding (Security Hub user guide, "Required top-level ASFF attributes"). */
export const ASFF_REQUIRED = [
  'AwsAccountId',
  'CreatedAt',
  'Description',
  'GeneratorId',
  'Id',
  'ProductArn',
  'Resources',
  'SchemaVersion',
  'Severity',
  'Title',
  'Types',
  'UpdatedAt',
] as const;

/** Set once a finding exists; BatchImportFindings leaves them as they are. */
const CUSTOMER_FIELDS = ['Note', 'UserDefinedFields', 'VerificationState', 'Workflow'] as const;

const PRODUCT_ARN = /^arn:([^:]+):securityhub:([^:]+):(\d{12}):product\/(\d{12})\/default$/;

type SecurityHubState = State['securityHub'];

const keyOf = (productArn: string, id: string): string => `${productArn}\n${id}`;

function missing(finding: Params): string | undefined {
  for (const field of ASFF_REQUIRED) {
    const value = finding[field];
    if (value === undefined || value === null || value === '') return field;
    if (Array.isArray(value) && value.length === 0) return field;
  }
  const severity = finding.Severity as Params;
  if (typeof severity !== 'object' || typeof severity.Label !== 'string') return 'Severity.Label';
  return undefined;
}

function workflowAfter(previous: Params, next: Params): Params {
  const workflow = (previous.Workflow as Params | undefined) ?? { Status: 'NEW' };
  const status = workflow.Status;
  if (status !== 'NOTIFIED' && status !== 'RESOLVED') return workflow;
  const was = (previous.Compliance as Params | undefined)?.Status;
  const now = (next.Compliance as Params | undefined)?.Status;
  const complianceReopened = was === 'PASSED' && now !== undefined && now !== 'PASSED';
  const recordReopened = previous.RecordState === 'ARCHIVED' && next.RecordState === 'ACTIVE';
  return complianceReopened || recordReopened ? { Status: 'NEW' } : workflow;
}

function importOne(
  hub: SecurityHubState,
  finding: Params,
  ctx: { accountId: string; region: string },
): { ErrorCode: string; ErrorMessage: string } | undefined {
  const absent = missing(finding);
  if (absent) return { ErrorCode: 'InvalidInput', ErrorMessage: `Finding is missing ${absent}` };
  const product = PRODUCT_ARN.exec(String(finding.ProductArn));
  if (!product || product[3] !== product[4]) {
    return { ErrorCode: 'InvalidInput', ErrorMessage: `Unknown product ${String(finding.ProductArn)}` };
  }
  if (finding.AwsAccountId !== ctx.accountId || product[3] !== ctx.accountId) {
    // Only allow-listed partners import findings for other accounts.
    return {
      ErrorCode: 'AccessDeniedException',
      ErrorMessage: `Account ${ctx.accountId} may not import findings for ${String(finding.AwsAccountId)}`,
    };
  }
  if (product[2] !== ctx.region) {
    return {
      ErrorCode: 'InvalidInput',
      ErrorMessage: `Product ARN region ${product[2]} is not ${ctx.region}`,
    };
  }
  if (hub.disabledRegions.has(ctx.region)) {
    return { ErrorCode: 'InvalidAccess', ErrorMessage: `Security Hub is not enabled in ${ctx.region}` };
  }
  const key = keyOf(String(finding.ProductArn), String(finding.Id));
  const previous = hub.findings.get(key);
  const stored: Params = {
    ...finding,
    RecordState: finding.RecordState ?? 'ACTIVE',
    Region: ctx.region,
    ProductName: 'Default',
    CompanyName: 'Personal',
  };
  if (previous) {
    for (const field of CUSTOMER_FIELDS) {
      if (previous[field] === undefined) delete stored[field];
      else stored[field] = previous[field];
    }
    stored.Workflow = workflowAfter(previous, stored);
  } else {
    stored.Workflow = (finding.Workflow as Params | undefined) ?? { Status: 'NEW' };
  }
  stored.WorkflowState = stored.Workflow && (stored.Workflow as Params).Status === 'NEW' ? 'NEW' : 'ASSIGNED';
  hub.findings.set(key, JSON.parse(JSON.stringify(stored)) as Params);
  return undefined;
}

/** The value GetFindings filters compare, for the filters the guardrails use. */
function fieldOf(finding: Params, name: string): string[] {
  switch (name) {
    case 'ResourceId':
      return ((finding.Resources as Params[] | undefined) ?? []).map((r) => String(r.Id));
    case 'ComplianceStatus':
      return [String((finding.Compliance as Params | undefined)?.Status ?? '')];
    case 'WorkflowStatus':
      return [String((finding.Workflow as Params | undefined)?.Status ?? '')];
    case 'SeverityLabel':
      return [String((finding.Severity as Params | undefined)?.Label ?? '')];
    default:
      return finding[name] === undefined ? [] : [String(finding[name])];
  }
}

const SUPPORTED_FILTERS = new Set([
  'ProductArn',
  'AwsAccountId',
  'Id',
  'GeneratorId',
  'ResourceId',
  'RecordState',
  'ComplianceStatus',
  'WorkflowStatus',
  'SeverityLabel',
]);

/** GetFindings limits (API reference, GetFindings Filters and MaxResults): 10 attributes, 20 values each, 100 a page. */
export const MAX_FILTER_ATTRIBUTES = 10;
export const MAX_FILTER_VALUES = 20;
export const MAX_RESULTS = 100;

function checkFilterLimits(filters: Params): void {
  const attributes = Object.entries(filters).filter(([, v]) => Array.isArray(v) && v.length > 0);
  if (attributes.length > MAX_FILTER_ATTRIBUTES) {
    throw new ApiError(
      'InvalidInputException',
      `Filters: at most ${MAX_FILTER_ATTRIBUTES} finding attributes, not ${attributes.length}`,
    );
  }
  for (const [name, values] of attributes) {
    if ((values as unknown[]).length > MAX_FILTER_VALUES) {
      throw new ApiError(
        'InvalidInputException',
        `Filters.${name}: at most ${MAX_FILTER_VALUES} filter values, not ${(values as unknown[]).length}`,
      );
    }
  }
}

function matches(finding: Params, filters: Params): boolean {
  for (const [name, raw] of Object.entries(filters)) {
    if (!SUPPORTED_FILTERS.has(name)) {
      throw new ApiError('InvalidInputException', `The emulator does not filter on ${name}`);
    }
    const conditions = (raw as Params[]) ?? [];
    const values = fieldOf(finding, name);
    // String filters: EQUALS conditions on one field are ORed, NOT_EQUALS ones ANDed.
    const equals = conditions.filter((c) => (c.Comparison ?? 'EQUALS') === 'EQUALS');
    const notEquals = conditions.filter((c) => c.Comparison === 'NOT_EQUALS');
    const prefix = conditions.filter((c) => c.Comparison === 'PREFIX');
    if (equals.length > 0 && !equals.some((c) => values.includes(String(c.Value)))) return false;
    if (prefix.length > 0 && !prefix.some((c) => values.some((v) => v.startsWith(String(c.Value)))))
      return false;
    if (notEquals.some((c) => values.includes(String(c.Value)))) return false;
  }
  return true;
}

export function securityHubHandlers(state: State): ServiceHandlers {
  return {
    BatchImportFindings: (p, ctx) => {
      const findings = p.Findings;
      if (!Array.isArray(findings) || findings.length === 0) {
        throw new ApiError('InvalidInputException', 'Findings must hold 1 to 100 findings');
      }
      if (findings.length > 100)
        throw new ApiError('InvalidInputException', 'At most 100 findings per request');
      const hub = state.securityHub;
      const failed: Params[] = [];
      for (const finding of findings as Params[]) {
        const error = importOne(hub, finding, ctx);
        if (error) failed.push({ Id: finding.Id, ...error });
      }
      return {
        FailedCount: failed.length,
        SuccessCount: findings.length - failed.length,
        FailedFindings: failed,
      };
    },
    GetFindings: (p, ctx) => {
      const hub = state.securityHub;
      const filters = (p.Filters as Params | undefined) ?? {};
      checkFilterLimits(filters);
      const max = typeof p.MaxResults === 'number' ? p.MaxResults : 100;
      if (!Number.isInteger(max) || max < 1 || max > MAX_RESULTS) {
        throw new ApiError('InvalidInputException', `MaxResults must be 1 to ${MAX_RESULTS}, not ${max}`);
      }
      const start = typeof p.NextToken === 'string' && p.NextToken !== '' ? Number(p.NextToken) : 0;
      const all = [...hub.findings.values()].filter((f) => f.Region === ctx.region && matches(f, filters));
      const page = all.slice(start, start + max);
      return {
        Findings: page,
        ...(start + max < all.length ? { NextToken: String(start + max) } : {}),
      };
    },
  };
}
