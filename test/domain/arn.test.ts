import { describe, expect, it } from "vitest";
import { ArnError, formatArn, parseArn, tryParseArn } from "../../src/domain/arn.js";
import { kindsForArn } from "../../src/domain/resource-kinds.js";

describe("parseArn: valid ARNs", () => {
  it.each([
    // [arn, service, region, account, resourceType, name, kind id]
    ["arn:aws:s3:::my-bucket", "s3", "", "", "", "my-bucket", "s3-bucket"],
    ["arn:aws:s3:::logs.example.com", "s3", "", "", "", "logs.example.com", "s3-bucket"],
    ["arn:aws-cn:s3:::cn-bucket", "s3", "", "", "", "cn-bucket", "s3-bucket"],
    ["arn:aws-us-gov:s3:::gov-bucket", "s3", "", "", "", "gov-bucket", "s3-bucket"],
    ["arn:aws:s3:::my-bucket/path/to/object.txt", "s3", "", "", "object", "my-bucket", undefined],
    ["arn:aws:rds:us-east-1:123456789012:db:prod-db", "rds", "us-east-1", "123456789012", "db", "prod-db", "rds-instance"],
    ["arn:aws:rds:eu-west-1:123456789012:cluster:aurora-main", "rds", "eu-west-1", "123456789012", "cluster", "aurora-main", "rds-cluster"],
    ["arn:aws-us-gov:rds:us-gov-west-1:123456789012:db:gov-db", "rds", "us-gov-west-1", "123456789012", "db", "gov-db", "rds-instance"],
    ["arn:aws:ec2:us-east-1:123456789012:security-group/sg-0abc1234def567890", "ec2", "us-east-1", "123456789012", "security-group", "sg-0abc1234def567890", "security-group"],
    ["arn:aws:ec2:us-west-2:123456789012:instance/i-0123456789abcdef0", "ec2", "us-west-2", "123456789012", "instance", "i-0123456789abcdef0", "ec2-instance"],
    ["arn:aws:ec2:us-west-2:123456789012:volume/vol-0123456789abcdef0", "ec2", "us-west-2", "123456789012", "volume", "vol-0123456789abcdef0", "ebs-volume"],
    ["arn:aws:ec2:us-west-2:123456789012:vpc/vpc-0a1b2c3d", "ec2", "us-west-2", "123456789012", "vpc", "vpc-0a1b2c3d", "vpc"],
    ["arn:aws:ec2:us-west-2:123456789012:subnet/subnet-0a1b2c3d", "ec2", "us-west-2", "123456789012", "subnet", "subnet-0a1b2c3d", "subnet"],
    ["arn:aws:ec2:us-west-2:123456789012:launch-template/lt-0a1b2c3d", "ec2", "us-west-2", "123456789012", "launch-template", "lt-0a1b2c3d", "launch-template"],
    ["arn:aws:ec2:us-west-2:123456789012:eip-allocation/eipalloc-0a1b", "ec2", "us-west-2", "123456789012", "eip-allocation", "eipalloc-0a1b", "eip"],
    ["arn:aws:iam::123456789012:user/alice", "iam", "", "123456789012", "user", "alice", "iam-user"],
    ["arn:aws:iam::123456789012:user/division/team/bob", "iam", "", "123456789012", "user", "bob", "iam-user"],
    ["arn:aws:iam::123456789012:role/service-role/lambda-exec", "iam", "", "123456789012", "role", "lambda-exec", "iam-role"],
    ["arn:aws:iam::123456789012:policy/ReadOnly", "iam", "", "123456789012", "policy", "ReadOnly", "iam-policy"],
    ["arn:aws:iam::123456789012:group/admins", "iam", "", "123456789012", "group", "admins", "iam-group"],
    ["arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", "kms", "us-east-1", "123456789012", "key", "1234abcd-12ab-34cd-56ef-1234567890ab", "kms-key"],
    ["arn:aws:kms:us-east-1:123456789012:alias/app-key", "kms", "us-east-1", "123456789012", "alias", "alias/app-key", "kms-alias"],
    ["arn:aws:dynamodb:us-east-1:123456789012:table/orders", "dynamodb", "us-east-1", "123456789012", "table", "orders", "dynamodb-table"],
    ["arn:aws:dynamodb:us-east-1:123456789012:table/orders/stream/2024-01-01T00:00:00.000", "dynamodb", "us-east-1", "123456789012", "table", "orders", "dynamodb-table"],
    ["arn:aws:lambda:us-east-1:123456789012:function:processor", "lambda", "us-east-1", "123456789012", "function", "processor", "lambda-function"],
    ["arn:aws:lambda:us-east-1:123456789012:function:processor:live", "lambda", "us-east-1", "123456789012", "function", "processor", "lambda-function"],
    ["arn:aws:cloudtrail:us-east-1:123456789012:trail/org-trail", "cloudtrail", "us-east-1", "123456789012", "trail", "org-trail", "cloudtrail"],
    ["arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web-alb/50dc6c495c0c9188", "elasticloadbalancing", "us-east-1", "123456789012", "loadbalancer", "web-alb", "load-balancer"],
    ["arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/nlb-1/50dc6c495c0c9188", "elasticloadbalancing", "us-east-1", "123456789012", "loadbalancer", "nlb-1", "load-balancer"],
    ["arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/classic-elb", "elasticloadbalancing", "us-east-1", "123456789012", "loadbalancer", "classic-elb", "classic-elb"],
    ["arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/web-alb/50dc6c495c0c9188/f2f7dc8efc522ab2", "elasticloadbalancing", "us-east-1", "123456789012", "listener", "web-alb", "lb-listener"],
    ["arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-tg/73e2d6bc24d8a067", "elasticloadbalancing", "us-east-1", "123456789012", "targetgroup", "web-tg", "lb-target-group"],
    ["arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/processor", "logs", "us-east-1", "123456789012", "log-group", "/aws/lambda/processor", "log-group"],
    ["arn:aws:logs:us-east-1:123456789012:log-group:/ecs/app:*", "logs", "us-east-1", "123456789012", "log-group", "/ecs/app", "log-group"],
    ["arn:aws:sns:us-east-1:123456789012:alerts", "sns", "us-east-1", "123456789012", "", "alerts", "sns-topic"],
    ["arn:aws:sns:us-east-1:123456789012:events.fifo", "sns", "us-east-1", "123456789012", "", "events.fifo", "sns-topic"],
    ["arn:aws:sqs:us-east-1:123456789012:jobs", "sqs", "us-east-1", "123456789012", "", "jobs", "sqs-queue"],
    ["arn:aws:ecr:us-east-1:123456789012:repository/terrafix", "ecr", "us-east-1", "123456789012", "repository", "terrafix", "ecr-repository"],
    ["arn:aws:eks:us-east-1:123456789012:cluster/main", "eks", "us-east-1", "123456789012", "cluster", "main", "eks-cluster"],
    ["arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/fs-0123abcd", "elasticfilesystem", "us-east-1", "123456789012", "file-system", "fs-0123abcd", "efs-file-system"],
    ["arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/db-password-AbC123", "secretsmanager", "us-east-1", "123456789012", "secret", "prod/db-password", "secret"],
    ["arn:aws:ssm:us-east-1:123456789012:parameter/app/config", "ssm", "us-east-1", "123456789012", "parameter", "app/config", "ssm-parameter"],
    ["arn:aws:elasticache:us-east-1:123456789012:replicationgroup:redis-main", "elasticache", "us-east-1", "123456789012", "replicationgroup", "redis-main", "elasticache-replication-group"],
    ["arn:aws:elasticache:us-east-1:123456789012:cluster:memcached-1", "elasticache", "us-east-1", "123456789012", "cluster", "memcached-1", "elasticache-cluster"],
    ["arn:aws:redshift:us-east-1:123456789012:cluster:warehouse", "redshift", "us-east-1", "123456789012", "cluster", "warehouse", "redshift-cluster"],
    ["arn:aws:es:us-east-1:123456789012:domain/search", "es", "us-east-1", "123456789012", "domain", "search", "opensearch-domain"],
    ["arn:aws:kinesis:us-east-1:123456789012:stream/clicks", "kinesis", "us-east-1", "123456789012", "stream", "clicks", "kinesis-stream"],
    ["arn:aws:states:us-east-1:123456789012:stateMachine:orders-flow", "states", "us-east-1", "123456789012", "stateMachine", "orders-flow", "state-machine"],
    ["arn:aws:ecs:us-east-1:123456789012:cluster/apps", "ecs", "us-east-1", "123456789012", "cluster", "apps", "ecs-cluster"],
    ["arn:aws:ecs:us-east-1:123456789012:service/apps/web", "ecs", "us-east-1", "123456789012", "service", "web", "ecs-service"],
    ["arn:aws:cloudfront::123456789012:distribution/E2QWRUHEXAMPLE", "cloudfront", "", "123456789012", "distribution", "E2QWRUHEXAMPLE", "cloudfront-distribution"],
    ["arn:aws:wafv2:us-east-1:123456789012:regional/webacl/edge-acl/a1b2c3", "wafv2", "us-east-1", "123456789012", "regional", "edge-acl", "wafv2-web-acl"],
    ["arn:aws:route53:::hostedzone/Z1D633PJN98FT9", "route53", "", "", "hostedzone", "Z1D633PJN98FT9", "route53-zone"],
    ["arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012", "acm", "us-east-1", "123456789012", "certificate", "12345678-1234-1234-1234-123456789012", "acm-certificate"],
    ["arn:aws:backup:us-east-1:123456789012:backup-vault:main-vault", "backup", "us-east-1", "123456789012", "backup-vault", "main-vault", "backup-vault"],
    ["arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/analysis", "sagemaker", "us-east-1", "123456789012", "notebook-instance", "analysis", "sagemaker-notebook"],
    ["arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AbCdEf", "cognito-idp", "us-east-1", "123456789012", "userpool", "us-east-1_AbCdEf", "cognito-user-pool"],
  ])("%s", (text, service, region, account, resourceType, name, kindId) => {
    const arn = parseArn(text);
    expect(arn).toMatchObject({ service, region, account, resourceType, name });
    expect(formatArn(arn)).toBe(text);
    const kinds = kindsForArn(arn).map((k) => k.id);
    if (kindId === undefined) expect(kinds).toEqual([]);
    else expect(kinds[0]).toBe(kindId);
  });

  it("keeps the IAM path and the Lambda qualifier", () => {
    expect(parseArn("arn:aws:iam::123456789012:user/division/team/bob").path).toBe("/division/team/");
    expect(parseArn("arn:aws:iam::123456789012:user/alice").path).toBe("/");
    expect(parseArn("arn:aws:lambda:us-east-1:123456789012:function:processor:live").qualifier).toBe("live");
  });

  it("cannot tell RDS, DocumentDB and Neptune clusters apart from the ARN alone", () => {
    const kinds = kindsForArn(parseArn("arn:aws:rds:us-east-1:123456789012:cluster:shared")).map((k) => k.id);
    expect(kinds).toEqual(["rds-cluster", "docdb-cluster", "neptune-cluster"]);
  });
});

describe("parseArn: invalid ARNs", () => {
  it.each([
    ["", "empty"],
    ["   ", "empty"],
    ["not-an-arn", "must start with 'arn:'"],
    ["arn:aws:s3", "expected 6 colon-separated parts"],
    ["arn:aws:s3::", "expected 6 colon-separated parts"],
    ["arn:azure:s3:::bucket", "unknown partition 'azure'"],
    ["arn::s3:::bucket", "unknown partition ''"],
    ["arn:aws::us-east-1:123456789012:thing", "service is empty"],
    ["arn:aws:S3:::bucket", "invalid service 'S3'"],
    ["arn:aws:rds:mars-1:123456789012:db:x", "invalid region 'mars-1'"],
    ["arn:aws:rds:us-east-1:12345:db:x", "invalid account '12345'"],
    ["arn:aws:rds:us-east-1:abcdefghijkl:db:x", "invalid account"],
    ["arn:aws:rds:us-east-1:123456789012:", "resource is empty"],
    ["arn:aws:rds::123456789012:db:x", "requires a region"],
    ["arn:aws:rds:us-east-1::db:x", "requires an account id"],
    ["arn:aws:s3:us-east-1:123456789012:bucket", "empty region and account"],
    ["arn:aws:s3:::Bad_Bucket", "invalid S3 bucket name"],
    ["arn:aws:s3:::a", "invalid S3 bucket name"],
    ["arn:aws:ec2:us-east-1:123456789012:/sg-1", "resource type is empty"],
    ["arn:aws:ec2:us-east-1:123456789012:security-group/", "resource id after 'security-group' is empty"],
    ["arn:aws:iam::123456789012:user/path/", "IAM user name is empty"],
    ["arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/only-name", "load balancer must be"],
    ["arn:aws:s3:::my bucket", "contains whitespace"],
    [`arn:aws:s3:::${"a".repeat(2100)}`, "longer than 2048"],
  ])("%j is rejected: %s", (text, reason) => {
    expect(() => parseArn(text)).toThrow(ArnError);
    expect(() => parseArn(text)).toThrow(reason);
    expect(tryParseArn(text)).toBeInstanceOf(ArnError);
  });

  it("quotes the bad input, truncated, in the message", () => {
    const error = tryParseArn(`garbage-${"x".repeat(300)}`) as ArnError;
    expect(error.message).toMatch(/^invalid ARN "garbage-x+\.\.\."/);
    expect(error.message.length).toBeLessThan(220);
  });
});
