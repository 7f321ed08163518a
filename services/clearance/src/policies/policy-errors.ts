import { ConflictError, DomainError, NotFoundError } from '@portico/service-kit';

// Fixed texts and ids only: an error never repeats what the caller sent.

export class PolicyNotFoundError extends NotFoundError {
  constructor() {
    super('policy_not_found', {
      en: 'No requirement policy exists with this id.',
      zh: '未找到该清关要求策略。',
    });
  }
}

export class PolicyVersionConflictError extends ConflictError {
  constructor(currentVersion: number) {
    super(
      'policy_version_conflict',
      {
        en: 'The policy was changed by someone else since you read it. Reload it and apply your change again.',
        zh: '该策略在您读取后已被他人修改，请重新加载后再修改。',
      },
      { currentVersion },
    );
  }
}

export class PolicyScopeTakenError extends ConflictError {
  /** `policyId` is absent when a concurrent write took the scope first (known only from the index). */
  constructor(policyId?: string) {
    super(
      'policy_scope_taken',
      {
        en: 'An active policy with the same tenant, carrier, origin and destination already exists. Edit that policy instead.',
        zh: '已存在相同租户、承运商、始发地和目的地的有效策略，请修改该策略。',
      },
      policyId ? { policyId } : undefined,
    );
  }
}

export class PolicyInactiveError extends ConflictError {
  constructor() {
    super('policy_inactive', {
      en: 'This policy has been deactivated and can no longer be changed. Create a new policy instead.',
      zh: '该策略已停用，无法再修改，请新建策略。',
    });
  }
}

/** Platform defaults apply to every tenant: only platform operators may change them. */
export class PlatformPolicyOperatorsOnlyError extends DomainError {
  constructor() {
    super({
      code: 'platform_policy_operators_only',
      status: 403,
      message: {
        en: 'Platform default policies can only be created or changed by platform operators.',
        zh: '平台默认策略只能由平台运营人员创建或修改。',
      },
    });
  }
}

/** RFC 6585 428: a replace without If-Match (or `version`) could silently overwrite someone's edit. */
export class PolicyVersionRequiredError extends DomainError {
  constructor() {
    super({
      code: 'policy_version_required',
      status: 428,
      message: {
        en: 'Send the version you read, in an If-Match header (the ETag) or as "version" in the body.',
        zh: '请在 If-Match 请求头（ETag）或请求体的 "version" 字段中提供您读取到的版本号。',
      },
    });
  }
}
