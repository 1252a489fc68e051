import type { Arn } from "./arn.js";

/**
 * What TerraFix knows about a kind of AWS resource: its names in CloudFormation, Terraform and
 * Vanta, where its ARN name lives in Terraform, and how its ARN looks.
 * Source: shared/reference/arn-mapping.md (rows numbered there).
 */
export interface ResourceKind {
  id: string;
  cloudFormationType: string;
  terraformTypes: readonly string[];
  /** Vanta `responseType` texts seen or expected for this kind (compared case-insensitively). */
  vantaResponseTypes: readonly string[];
  /** Terraform attribute holding the name that appears in the ARN; absent when the ARN holds a generated id. */
  nameAttribute?: string;
  prefixAttribute?: string;
  arnService: string;
  /** ARN resource type ("" for untyped resources such as S3 buckets). */
  arnResourceType: string;
  /** The ARN holds only a generated id: match through tags or state, never by name. */
  idOnly: boolean;
  /** Account-level singleton (password policy): one per account, no name. */
  accountLevel?: boolean;
}

function kind(k: ResourceKind): ResourceKind {
  return k;
}

export const RESOURCE_KINDS: readonly ResourceKind[] = [
  kind({ id: "s3-bucket", cloudFormationType: "AWS::S3::Bucket", terraformTypes: ["aws_s3_bucket"], vantaResponseTypes: ["S3 bucket", "S3Bucket", "AwsS3Bucket"], nameAttribute: "bucket", prefixAttribute: "bucket_prefix", arnService: "s3", arnResourceType: "", idOnly: false }),
  kind({ id: "rds-instance", cloudFormationType: "AWS::RDS::DBInstance", terraformTypes: ["aws_db_instance"], vantaResponseTypes: ["RDS instance", "RDS database", "Database instance", "AwsRdsDbInstance", "RDSInstance"], nameAttribute: "identifier", prefixAttribute: "identifier_prefix", arnService: "rds", arnResourceType: "db", idOnly: false }),
  kind({ id: "rds-cluster", cloudFormationType: "AWS::RDS::DBCluster", terraformTypes: ["aws_rds_cluster"], vantaResponseTypes: ["RDS cluster", "Aurora cluster", "AwsRdsDbCluster"], nameAttribute: "cluster_identifier", prefixAttribute: "cluster_identifier_prefix", arnService: "rds", arnResourceType: "cluster", idOnly: false }),
  kind({ id: "docdb-cluster", cloudFormationType: "AWS::DocDB::DBCluster", terraformTypes: ["aws_docdb_cluster"], vantaResponseTypes: ["DocumentDB cluster"], nameAttribute: "cluster_identifier", prefixAttribute: "cluster_identifier_prefix", arnService: "rds", arnResourceType: "cluster", idOnly: false }),
  kind({ id: "neptune-cluster", cloudFormationType: "AWS::Neptune::DBCluster", terraformTypes: ["aws_neptune_cluster"], vantaResponseTypes: ["Neptune cluster"], nameAttribute: "cluster_identifier", prefixAttribute: "cluster_identifier_prefix", arnService: "rds", arnResourceType: "cluster", idOnly: false }),
  kind({ id: "security-group", cloudFormationType: "AWS::EC2::SecurityGroup", terraformTypes: ["aws_security_group", "aws_security_group_rule", "aws_vpc_security_group_ingress_rule"], vantaResponseTypes: ["Security group", "EC2 security group", "AwsEc2SecurityGroup"], arnService: "ec2", arnResourceType: "security-group", idOnly: true }),
  kind({ id: "ec2-instance", cloudFormationType: "AWS::EC2::Instance", terraformTypes: ["aws_instance"], vantaResponseTypes: ["EC2 instance", "Server", "AwsEc2Instance"], arnService: "ec2", arnResourceType: "instance", idOnly: true }),
  kind({ id: "ebs-volume", cloudFormationType: "AWS::EC2::Volume", terraformTypes: ["aws_ebs_volume"], vantaResponseTypes: ["EBS volume", "AwsEc2Volume"], arnService: "ec2", arnResourceType: "volume", idOnly: true }),
  kind({ id: "vpc", cloudFormationType: "AWS::EC2::VPC", terraformTypes: ["aws_vpc"], vantaResponseTypes: ["VPC", "AwsEc2Vpc"], arnService: "ec2", arnResourceType: "vpc", idOnly: true }),
  kind({ id: "subnet", cloudFormationType: "AWS::EC2::Subnet", terraformTypes: ["aws_subnet"], vantaResponseTypes: ["Subnet"], arnService: "ec2", arnResourceType: "subnet", idOnly: true }),
  kind({ id: "launch-template", cloudFormationType: "AWS::EC2::LaunchTemplate", terraformTypes: ["aws_launch_template"], vantaResponseTypes: ["Launch template"], arnService: "ec2", arnResourceType: "launch-template", idOnly: true }),
  kind({ id: "eip", cloudFormationType: "AWS::EC2::EIP", terraformTypes: ["aws_eip"], vantaResponseTypes: ["Elastic IP"], arnService: "ec2", arnResourceType: "eip-allocation", idOnly: true }),
  kind({ id: "iam-user", cloudFormationType: "AWS::IAM::User", terraformTypes: ["aws_iam_user"], vantaResponseTypes: ["IAM user", "AwsIamUser"], nameAttribute: "name", arnService: "iam", arnResourceType: "user", idOnly: false }),
  kind({ id: "iam-role", cloudFormationType: "AWS::IAM::Role", terraformTypes: ["aws_iam_role"], vantaResponseTypes: ["IAM role", "AwsIamRole"], nameAttribute: "name", prefixAttribute: "name_prefix", arnService: "iam", arnResourceType: "role", idOnly: false }),
  kind({ id: "iam-policy", cloudFormationType: "AWS::IAM::ManagedPolicy", terraformTypes: ["aws_iam_policy"], vantaResponseTypes: ["IAM policy", "AwsIamPolicy"], nameAttribute: "name", prefixAttribute: "name_prefix", arnService: "iam", arnResourceType: "policy", idOnly: false }),
  kind({ id: "iam-group", cloudFormationType: "AWS::IAM::Group", terraformTypes: ["aws_iam_group"], vantaResponseTypes: ["IAM group"], nameAttribute: "name", arnService: "iam", arnResourceType: "group", idOnly: false }),
  kind({ id: "kms-key", cloudFormationType: "AWS::KMS::Key", terraformTypes: ["aws_kms_key"], vantaResponseTypes: ["KMS key", "AwsKmsKey"], arnService: "kms", arnResourceType: "key", idOnly: true }),
  kind({ id: "kms-alias", cloudFormationType: "AWS::KMS::Alias", terraformTypes: ["aws_kms_alias"], vantaResponseTypes: ["KMS alias"], nameAttribute: "name", prefixAttribute: "name_prefix", arnService: "kms", arnResourceType: "alias", idOnly: false }),
  kind({ id: "dynamodb-table", cloudFormationType: "AWS::DynamoDB::Table", terraformTypes: ["aws_dynamodb_table"], vantaResponseTypes: ["DynamoDB table", "AwsDynamoDbTable"], nameAttribute: "name", arnService: "dynamodb", arnResourceType: "table", idOnly: false }),
  kind({ id: "lambda-function", cloudFormationType: "AWS::Lambda::Function", terraformTypes: ["aws_lambda_function"], vantaResponseTypes: ["Lambda function", "Serverless function", "AwsLambdaFunction"], nameAttribute: "function_name", arnService: "lambda", arnResourceType: "function", idOnly: false }),
  kind({ id: "cloudtrail", cloudFormationType: "AWS::CloudTrail::Trail", terraformTypes: ["aws_cloudtrail"], vantaResponseTypes: ["CloudTrail trail", "CloudTrail", "AwsCloudTrailTrail"], nameAttribute: "name", arnService: "cloudtrail", arnResourceType: "trail", idOnly: false }),
  kind({ id: "load-balancer", cloudFormationType: "AWS::ElasticLoadBalancingV2::LoadBalancer", terraformTypes: ["aws_lb", "aws_alb"], vantaResponseTypes: ["Load balancer", "Application load balancer", "AwsElbv2LoadBalancer"], nameAttribute: "name", prefixAttribute: "name_prefix", arnService: "elasticloadbalancing", arnResourceType: "loadbalancer", idOnly: false }),
  kind({ id: "lb-listener", cloudFormationType: "AWS::ElasticLoadBalancingV2::Listener", terraformTypes: ["aws_lb_listener", "aws_alb_listener"], vantaResponseTypes: ["Load balancer listener"], arnService: "elasticloadbalancing", arnResourceType: "listener", idOnly: true }),
  kind({ id: "lb-target-group", cloudFormationType: "AWS::ElasticLoadBalancingV2::TargetGroup", terraformTypes: ["aws_lb_target_group", "aws_alb_target_group"], vantaResponseTypes: ["Target group"], nameAttribute: "name", prefixAttribute: "name_prefix", arnService: "elasticloadbalancing", arnResourceType: "targetgroup", idOnly: false }),
  kind({ id: "classic-elb", cloudFormationType: "AWS::ElasticLoadBalancing::LoadBalancer", terraformTypes: ["aws_elb"], vantaResponseTypes: ["Classic load balancer"], nameAttribute: "name", prefixAttribute: "name_prefix", arnService: "elasticloadbalancing", arnResourceType: "loadbalancer", idOnly: false }),
  kind({ id: "log-group", cloudFormationType: "AWS::Logs::LogGroup", terraformTypes: ["aws_cloudwatch_log_group"], vantaResponseTypes: ["CloudWatch log group", "Log group", "AwsLogsLogGroup"], nameAttribute: "name", prefixAttribute: "name_prefix", arnService: "logs", arnResourceType: "log-group", idOnly: false }),
  kind({ id: "sns-topic", cloudFormationType: "AWS::SNS::Topic", terraformTypes: ["aws_sns_topic"], vantaResponseTypes: ["SNS topic", "AwsSnsTopic"], nameAttribute: "name", prefixAttribute: "name_prefix", arnService: "sns", arnResourceType: "", idOnly: false }),
  kind({ id: "sqs-queue", cloudFormationType: "AWS::SQS::Queue", terraformTypes: ["aws_sqs_queue"], vantaResponseTypes: ["SQS queue", "AwsSqsQueue"], nameAttribute: "name", prefixAttribute: "name_prefix", arnService: "sqs", arnResourceType: "", idOnly: false }),
  kind({ id: "ecr-repository", cloudFormationType: "AWS::ECR::Repository", terraformTypes: ["aws_ecr_repository"], vantaResponseTypes: ["ECR repository"], nameAttribute: "name", arnService: "ecr", arnResourceType: "repository", idOnly: false }),
  kind({ id: "eks-cluster", cloudFormationType: "AWS::EKS::Cluster", terraformTypes: ["aws_eks_cluster"], vantaResponseTypes: ["EKS cluster"], nameAttribute: "name", arnService: "eks", arnResourceType: "cluster", idOnly: false }),
  kind({ id: "efs-file-system", cloudFormationType: "AWS::EFS::FileSystem", terraformTypes: ["aws_efs_file_system"], vantaResponseTypes: ["EFS file system"], arnService: "elasticfilesystem", arnResourceType: "file-system", idOnly: true }),
  kind({ id: "secret", cloudFormationType: "AWS::SecretsManager::Secret", terraformTypes: ["aws_secretsmanager_secret"], vantaResponseTypes: ["Secrets Manager secret", "Secret"], nameAttribute: "name", prefixAttribute: "name_prefix", arnService: "secretsmanager", arnResourceType: "secret", idOnly: false }),
  kind({ id: "ssm-parameter", cloudFormationType: "AWS::SSM::Parameter", terraformTypes: ["aws_ssm_parameter"], vantaResponseTypes: ["SSM parameter"], nameAttribute: "name", arnService: "ssm", arnResourceType: "parameter", idOnly: false }),
  kind({ id: "elasticache-replication-group", cloudFormationType: "AWS::ElastiCache::ReplicationGroup", terraformTypes: ["aws_elasticache_replication_group"], vantaResponseTypes: ["ElastiCache replication group"], nameAttribute: "replication_group_id", arnService: "elasticache", arnResourceType: "replicationgroup", idOnly: false }),
  kind({ id: "elasticache-cluster", cloudFormationType: "AWS::ElastiCache::CacheCluster", terraformTypes: ["aws_elasticache_cluster"], vantaResponseTypes: ["ElastiCache cluster"], nameAttribute: "cluster_id", arnService: "elasticache", arnResourceType: "cluster", idOnly: false }),
  kind({ id: "redshift-cluster", cloudFormationType: "AWS::Redshift::Cluster", terraformTypes: ["aws_redshift_cluster"], vantaResponseTypes: ["Redshift cluster"], nameAttribute: "cluster_identifier", arnService: "redshift", arnResourceType: "cluster", idOnly: false }),
  kind({ id: "opensearch-domain", cloudFormationType: "AWS::OpenSearchService::Domain", terraformTypes: ["aws_opensearch_domain", "aws_elasticsearch_domain"], vantaResponseTypes: ["OpenSearch domain", "Elasticsearch domain"], nameAttribute: "domain_name", arnService: "es", arnResourceType: "domain", idOnly: false }),
  kind({ id: "kinesis-stream", cloudFormationType: "AWS::Kinesis::Stream", terraformTypes: ["aws_kinesis_stream"], vantaResponseTypes: ["Kinesis stream"], nameAttribute: "name", arnService: "kinesis", arnResourceType: "stream", idOnly: false }),
  kind({ id: "state-machine", cloudFormationType: "AWS::StepFunctions::StateMachine", terraformTypes: ["aws_sfn_state_machine"], vantaResponseTypes: ["Step Functions state machine"], nameAttribute: "name", prefixAttribute: "name_prefix", arnService: "states", arnResourceType: "stateMachine", idOnly: false }),
  kind({ id: "ecs-cluster", cloudFormationType: "AWS::ECS::Cluster", terraformTypes: ["aws_ecs_cluster"], vantaResponseTypes: ["ECS cluster"], nameAttribute: "name", arnService: "ecs", arnResourceType: "cluster", idOnly: false }),
  kind({ id: "ecs-service", cloudFormationType: "AWS::ECS::Service", terraformTypes: ["aws_ecs_service"], vantaResponseTypes: ["ECS service"], nameAttribute: "name", arnService: "ecs", arnResourceType: "service", idOnly: false }),
  kind({ id: "cloudfront-distribution", cloudFormationType: "AWS::CloudFront::Distribution", terraformTypes: ["aws_cloudfront_distribution"], vantaResponseTypes: ["CloudFront distribution"], arnService: "cloudfront", arnResourceType: "distribution", idOnly: true }),
  kind({ id: "wafv2-web-acl", cloudFormationType: "AWS::WAFv2::WebACL", terraformTypes: ["aws_wafv2_web_acl"], vantaResponseTypes: ["WAF web ACL"], nameAttribute: "name", arnService: "wafv2", arnResourceType: "regional", idOnly: false }),
  kind({ id: "route53-zone", cloudFormationType: "AWS::Route53::HostedZone", terraformTypes: ["aws_route53_zone"], vantaResponseTypes: ["Route 53 hosted zone"], arnService: "route53", arnResourceType: "hostedzone", idOnly: true }),
  kind({ id: "acm-certificate", cloudFormationType: "AWS::CertificateManager::Certificate", terraformTypes: ["aws_acm_certificate"], vantaResponseTypes: ["ACM certificate"], arnService: "acm", arnResourceType: "certificate", idOnly: true }),
  kind({ id: "backup-vault", cloudFormationType: "AWS::Backup::BackupVault", terraformTypes: ["aws_backup_vault"], vantaResponseTypes: ["Backup vault"], nameAttribute: "name", arnService: "backup", arnResourceType: "backup-vault", idOnly: false }),
  kind({ id: "sagemaker-notebook", cloudFormationType: "AWS::SageMaker::NotebookInstance", terraformTypes: ["aws_sagemaker_notebook_instance"], vantaResponseTypes: ["SageMaker notebook instance"], nameAttribute: "name", arnService: "sagemaker", arnResourceType: "notebook-instance", idOnly: false }),
  kind({ id: "cognito-user-pool", cloudFormationType: "AWS::Cognito::UserPool", terraformTypes: ["aws_cognito_user_pool"], vantaResponseTypes: ["Cognito user pool"], arnService: "cognito-idp", arnResourceType: "userpool", idOnly: true }),
  kind({ id: "iam-password-policy", cloudFormationType: "AWS::IAM::AccountPasswordPolicy", terraformTypes: ["aws_iam_account_password_policy"], vantaResponseTypes: ["AWS account", "Account"], arnService: "iam", arnResourceType: "", idOnly: false, accountLevel: true }),
];

const norm = (s: string): string => s.trim().toLowerCase().replace(/[\s_-]+/g, " ");

/**
 * Resolves a kind from a CloudFormation type, a Terraform type or a Vanta responseType text.
 * Several kinds can answer one text ("AWS account" is account-level for every account test);
 * the first listed wins, and `kindsFor` gives them all.
 */
export function lookupKind(text: string): ResourceKind | undefined {
  return kindsFor(text)[0];
}

export function kindsFor(text: string): ResourceKind[] {
  const needle = norm(text);
  return RESOURCE_KINDS.filter(
    (k) =>
      norm(k.cloudFormationType) === needle ||
      norm(k.id) === needle ||
      k.terraformTypes.some((t) => norm(t) === needle) ||
      k.vantaResponseTypes.some((t) => norm(t) === needle),
  );
}

export function kindForTerraformType(type: string): ResourceKind | undefined {
  return RESOURCE_KINDS.find((k) => k.terraformTypes.includes(type));
}

/**
 * The kinds an ARN may denote. RDS, DocumentDB and Neptune clusters share `rds:cluster`, so
 * an ARN alone cannot tell them apart: all three are returned and the matcher decides.
 */
export function kindsForArn(arn: Arn): ResourceKind[] {
  const type =
    arn.service === "elasticloadbalancing" && arn.resourceType === "loadbalancer" && !arn.resourceId.includes("/")
      ? "classic"
      : arn.resourceType;
  return RESOURCE_KINDS.filter((k) => {
    if (k.arnService !== arn.service || k.accountLevel === true) return false;
    if (arn.service === "elasticloadbalancing" && arn.resourceType === "loadbalancer")
      return type === "classic" ? k.id === "classic-elb" : k.id === "load-balancer";
    if (arn.service === "wafv2") return true;
    if (arn.service === "s3") return arn.resourceType === "";
    return k.arnResourceType === type;
  });
}
