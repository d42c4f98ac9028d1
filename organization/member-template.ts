// biome-ignore-all lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub text, not JavaScript templates
// The member template: one stack per member account and region (a CloudFormation StackSet with service-managed
// permissions deploys it across the organization). It forwards SageMaker's events to the central bus and, in one
// region per account, creates the member role the central functions act through. Written by
// scripts/member-template.ts (`npm run package`); docs/deploy.md has the StackSet commands.
import { HANDLED_EVENT_NAMES } from '#core/events/normalize';

type Json = Record<string, unknown>;

const sub = (text: string) => ({ 'Fn::Sub': text });
const ref = (name: string) => ({ Ref: name });

/** The calls the central functions make in a member account (shared/aws/): nothing else. */
export const MEMBER_ROLE_STATEMENTS: Json[] = [
  {
    Sid: 'NotebookInstances',
    Effect: 'Allow',
    Action: [
      'sagemaker:DescribeNotebookInstance',
      'sagemaker:ListTags',
      'sagemaker:AddTags',
      'sagemaker:DeleteTags',
      'sagemaker:StopNotebookInstance',
    ],
    Resource: sub('arn:${AWS::Partition}:sagemaker:*:${AWS::AccountId}:notebook-instance/*'),
  },
  {
    Sid: 'Studio',
    Effect: 'Allow',
    Action: [
      'sagemaker:DescribeUserProfile',
      'sagemaker:DescribeDomain',
      'sagemaker:ListTags',
      'sagemaker:AddTags',
      'sagemaker:DeleteTags',
    ],
    Resource: [
      sub('arn:${AWS::Partition}:sagemaker:*:${AWS::AccountId}:user-profile/*'),
      sub('arn:${AWS::Partition}:sagemaker:*:${AWS::AccountId}:domain/*'),
    ],
  },
  {
    // Spaces, apps, app image configs, lifecycle configurations (issue 12): their tags; app image configs are
    // also described (studio-image-run-as-root).
    Sid: 'StudioResources',
    Effect: 'Allow',
    Action: [
      'sagemaker:DescribeAppImageConfig',
      'sagemaker:ListTags',
      'sagemaker:AddTags',
      'sagemaker:DeleteTags',
    ],
    Resource: [
      sub('arn:${AWS::Partition}:sagemaker:*:${AWS::AccountId}:space/*'),
      sub('arn:${AWS::Partition}:sagemaker:*:${AWS::AccountId}:app/*'),
      sub('arn:${AWS::Partition}:sagemaker:*:${AWS::AccountId}:app-image-config/*'),
      sub('arn:${AWS::Partition}:sagemaker:*:${AWS::AccountId}:notebook-instance-lifecycle-config/*'),
      sub('arn:${AWS::Partition}:sagemaker:*:${AWS::AccountId}:studio-lifecycle-config/*'),
    ],
  },
  {
    // The scheduled sweep lists each account's resources (sweep/listers.ts). List actions take no
    // resource-level permissions: "*" is the only resource they accept.
    Sid: 'SweepListing',
    Effect: 'Allow',
    Action: [
      'sagemaker:ListNotebookInstances',
      'sagemaker:ListDomains',
      'sagemaker:ListUserProfiles',
      'sagemaker:ListSpaces',
      'sagemaker:ListApps',
      'sagemaker:ListAppImageConfigs',
      'sagemaker:ListNotebookInstanceLifecycleConfigs',
      'sagemaker:ListStudioLifecycleConfigs',
    ],
    Resource: '*',
  },
  {
    // Read-only; a key may live in a central key account (its key policy must then allow this role).
    Sid: 'DescribeKeys',
    Effect: 'Allow',
    Action: 'kms:DescribeKey',
    Resource: sub('arn:${AWS::Partition}:kms:*:*:key/*'),
  },
  {
    Sid: 'PrincipalTags',
    Effect: 'Allow',
    Action: ['iam:ListRoleTags', 'iam:ListUserTags'],
    Resource: [
      sub('arn:${AWS::Partition}:iam::${AWS::AccountId}:role/*'),
      sub('arn:${AWS::Partition}:iam::${AWS::AccountId}:user/*'),
    ],
  },
  {
    // Security Hub findings (central stage param securityHub): BatchImportFindings takes a finding only from
    // the account it is about, so the central securityHub function imports this account's findings as this role.
    Sid: 'SecurityHubFindings',
    Effect: 'Allow',
    Action: 'securityhub:BatchImportFindings',
    Resource: sub('arn:${AWS::Partition}:securityhub:*:${AWS::AccountId}:product/${AWS::AccountId}/default'),
  },
  {
    Sid: 'SecurityHubReadFindings',
    Effect: 'Allow',
    Action: 'securityhub:GetFindings',
    Resource: sub('arn:${AWS::Partition}:securityhub:*:${AWS::AccountId}:hub/default'),
  },
];

export function memberTemplate(): Json {
  const centralBus = ref('CentralEventBusArn');
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description:
      'sm-guardrails member account: forwards SageMaker events to the central bus; the member role the central functions act through',
    Parameters: {
      CentralAccountId: {
        Type: 'String',
        AllowedPattern: '^\\d{12}$',
        Description: 'The account of the central stack',
      },
      CentralRegion: { Type: 'String', Description: 'The region of the central stack' },
      CentralEventBusArn: {
        Type: 'String',
        AllowedPattern: '^arn:aws[a-z-]*:events:[a-z0-9-]+:\\d{12}:event-bus/.+$',
        Description: "The central stack's OrganizationEventBusArn output",
      },
      Stage: { Type: 'String', Default: 'dev', Description: "The central stack's stage" },
      MemberRoleName: {
        Type: 'String',
        Default: 'sm-guardrails-member',
        // sm-guardrails-*: the generated SCPs exempt that prefix; the functions know this role by its exact ARN.
        AllowedPattern: '^sm-guardrails-[A-Za-z0-9+=,.@_-]+$',
        Description:
          'The member role; the same name in every account (the central stage param memberRoleName)',
      },
      MemberRoleRegion: {
        Type: 'String',
        Default: 'us-east-1',
        Description: 'IAM roles are global: the member role is created by the stack in this region only',
      },
    },
    Conditions: {
      CreateMemberRole: { 'Fn::Equals': [ref('AWS::Region'), ref('MemberRoleRegion')] },
    },
    Resources: {
      ForwardingRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Service: 'events.amazonaws.com' },
                Action: 'sts:AssumeRole',
                Condition: { StringEquals: { 'aws:SourceAccount': ref('AWS::AccountId') } },
              },
            ],
          },
          Policies: [
            {
              PolicyName: 'forward-to-central-bus',
              PolicyDocument: {
                Version: '2012-10-17',
                Statement: [{ Effect: 'Allow', Action: 'events:PutEvents', Resource: centralBus }],
              },
            },
          ],
        },
      },
      ForwardApiCalls: {
        Type: 'AWS::Events::Rule',
        Properties: {
          Description: "SageMaker's CloudTrail events the guardrails handle, to the central bus",
          EventPattern: {
            source: ['aws.sagemaker'],
            'detail-type': ['AWS API Call via CloudTrail'],
            detail: {
              eventSource: ['sagemaker.amazonaws.com'],
              errorCode: [{ exists: false }],
              eventName: [...HANDLED_EVENT_NAMES],
            },
          },
          State: 'ENABLED',
          Targets: [
            { Id: 'central-bus', Arn: centralBus, RoleArn: { 'Fn::GetAtt': ['ForwardingRole', 'Arn'] } },
          ],
        },
      },
      ForwardStateChanges: {
        Type: 'AWS::Events::Rule',
        Properties: {
          Description: "SageMaker's notebook state-change events, to the central bus",
          EventPattern: {
            source: ['aws.sagemaker'],
            'detail-type': ['SageMaker Notebook Instance State Change'],
          },
          State: 'ENABLED',
          Targets: [
            { Id: 'central-bus', Arn: centralBus, RoleArn: { 'Fn::GetAtt': ['ForwardingRole', 'Arn'] } },
          ],
        },
      },
      MemberRole: {
        Type: 'AWS::IAM::Role',
        Condition: 'CreateMemberRole',
        Properties: {
          RoleName: ref('MemberRoleName'),
          MaxSessionDuration: 3600,
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                // The central account, and in it only the guardrails' function roles.
                Effect: 'Allow',
                Principal: { AWS: sub('arn:${AWS::Partition}:iam::${CentralAccountId}:root') },
                Action: 'sts:AssumeRole',
                Condition: {
                  ArnLike: {
                    'aws:PrincipalArn': sub(
                      'arn:${AWS::Partition}:iam::${CentralAccountId}:role/sm-guardrails-${Stage}-${CentralRegion}-*',
                    ),
                  },
                },
              },
            ],
          },
          Policies: [
            {
              PolicyName: 'guardrails',
              PolicyDocument: { Version: '2012-10-17', Statement: MEMBER_ROLE_STATEMENTS },
            },
          ],
        },
      },
    },
    Outputs: {
      MemberRoleArn: { Condition: 'CreateMemberRole', Value: { 'Fn::GetAtt': ['MemberRole', 'Arn'] } },
    },
  };
}
