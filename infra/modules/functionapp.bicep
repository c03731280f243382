// Linux plan (Elastic Premium or Dedicated) and the function app (.NET 10 isolated worker), pinned
// to a single instance because the DuckDB writer must be the only process that opens the database file.

param location string
param tags object = {}

param planName string
param functionAppName string

@description('Plan SKU: EP1-EP3 (Elastic Premium) or a Dedicated Premium v3 SKU.')
param planSku string

@description('Resource id of the user-assigned managed identity.')
param identityId string

@description('Client id of the user-assigned managed identity.')
param identityClientId string

param storageAccountName string

@description('Azure Files share that backs /home on Elastic Premium. Empty on Dedicated plans.')
param contentShareName string = ''

param appInsightsConnectionString string

@description('Application Insights accepts Entra-authenticated telemetry only.')
param appInsightsEntraAuth bool = true

@description('Directory of the DuckDB file, on the app\'s persistent /home storage.')
param dataDirectory string = '/home/data'

@description('Where the archive timer puts Parquet files: Blob (the storage account\'s archive container) or Local (/home/data/archive, on the same storage as the DuckDB file).')
@allowed([
  'Blob'
  'Local'
])
param archiveStore string = 'Blob'

@description('Blob container of the archive (Archive:ContainerName).')
param archiveContainerName string = 'metrics-archive'

@description('Days archived files are kept before the Retention function deletes them (Archive:RetentionDays).')
@minValue(2)
param archiveRetentionDays int = 365

@description('Six-field NCRONTAB schedule of the Archive timer (app setting ArchiveSchedule, read by the trigger as %ArchiveSchedule%).')
@minLength(1)
param archiveSchedule string = '0 */5 * * * *'

@description('Six-field NCRONTAB schedule of the Retention timer (app setting RetentionSchedule, read by the trigger as %RetentionSchedule%).')
@minLength(1)
param retentionSchedule string = '0 17 * * * *'

@description('Extra app settings, as [{ name: ..., value: ... }], appended to the defaults.')
param extraAppSettings array = []

var isElasticPremium = startsWith(planSku, 'EP')

// The .NET isolated stack on Linux. The version must match the app's TargetFramework (net10.0).
var linuxFxVersion = 'DOTNET-ISOLATED|10.0'

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: storageAccountName
}

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: isElasticPremium ? 'elastic' : 'linux'
  sku: isElasticPremium
    ? {
        name: planSku
        tier: 'ElasticPremium'
        capacity: 1
      }
    : {
        name: planSku // the tier (PremiumV3, Premium0V3) follows from the name
        capacity: 1 // one instance; add no autoscale rule to this plan
      }
  properties: {
    reserved: true // Linux
    // Elastic Premium: the plan never grows past one instance (no burst, no second host opening
    // the DuckDB file). Ignored by Dedicated plans, which stay at capacity 1.
    maximumElasticWorkerCount: 1
    zoneRedundant: false // zone redundancy needs two or more instances
  }
}

var baseAppSettings = [
  { name: 'FUNCTIONS_EXTENSION_VERSION', value: '~4' }
  { name: 'FUNCTIONS_WORKER_RUNTIME', value: 'dotnet-isolated' }
  // Lets the platform start the app from a pre-warmed .NET isolated placeholder (a cold-start
  // optimization). It needs a 64-bit process and a stack version that matches the app's target
  // framework; both are set below. Plans without placeholders ignore it.
  { name: 'WEBSITE_USE_PLACEHOLDER_DOTNETISOLATED', value: '1' }

  // Host storage through the managed identity (no connection string, no key).
  { name: 'AzureWebJobsStorage__accountName', value: storage.name }
  { name: 'AzureWebJobsStorage__credential', value: 'managedidentity' }
  { name: 'AzureWebJobsStorage__clientId', value: identityClientId }

  { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: appInsightsConnectionString }

  // Deployment: the output of `dotnet publish` is zip-deployed and run from the package; nothing is
  // built on the server.
  { name: 'WEBSITE_RUN_FROM_PACKAGE', value: '1' }
  { name: 'SCM_DO_BUILD_DURING_DEPLOYMENT', value: 'false' }
  { name: 'ENABLE_ORYX_BUILD', value: 'false' }

  // The app: the DuckDB file on the persistent /home storage.
  { name: 'Storage__DataDirectory', value: dataDirectory }

  // Timer schedules. The timer triggers name them as %ArchiveSchedule% and %RetentionSchedule%; the
  // host can't index the timer functions when these settings are missing.
  { name: 'ArchiveSchedule', value: archiveSchedule }
  { name: 'RetentionSchedule', value: retentionSchedule }
]

var entraTelemetrySettings = appInsightsEntraAuth
  ? [
      { name: 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', value: 'ClientId=${identityClientId};Authorization=AAD' }
    ]
  : []

// The archive. Archive:ConnectionString is the app's only way to reach Blob Storage (it has no
// identity-based option yet), so with Blob it carries an account key, like the content share below,
// and main.bicep keeps Shared Key on for the account.
var archiveSettings = concat(
  [
    { name: 'Archive__Kind', value: archiveStore }
    { name: 'Archive__RetentionDays', value: string(archiveRetentionDays) }
  ],
  archiveStore == 'Blob'
    ? [
        { name: 'Archive__ContainerName', value: archiveContainerName }
        {
          name: 'Archive__ConnectionString'
          value: 'DefaultEndpointsProtocol=https;AccountName=${storage.name};EndpointSuffix=${environment().suffixes.storage};AccountKey=${storage.listKeys().keys[0].value}'
        }
      ]
    : []
)

// Elastic Premium keeps /home on an Azure Files share in the storage account. Azure Files over SMB
// takes only a key-based connection string, so this one setting carries an account key.
var contentShareSettings = isElasticPremium
  ? [
      {
        name: 'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING'
        value: 'DefaultEndpointsProtocol=https;AccountName=${storage.name};EndpointSuffix=${environment().suffixes.storage};AccountKey=${storage.listKeys().keys[0].value}'
      }
      { name: 'WEBSITE_CONTENTSHARE', value: contentShareName }
    ]
  : []

resource functionApp 'Microsoft.Web/sites@2025-03-01' = {
  name: functionAppName
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    reserved: true
    httpsOnly: true
    clientAffinityEnabled: false
    keyVaultReferenceIdentity: identityId
    publicNetworkAccess: 'Enabled'
    siteConfig: {
      linuxFxVersion: linuxFxVersion
      alwaysOn: !isElasticPremium // Dedicated only; Elastic Premium keeps its always-ready instance warm instead
      functionAppScaleLimit: 1
      minimumElasticInstanceCount: isElasticPremium ? 1 : 0
      ftpsState: 'Disabled'
      minTlsVersion: '1.2'
      scmMinTlsVersion: '1.2'
      http20Enabled: true
      use32BitWorkerProcess: false // 64-bit, also required by the placeholder optimization
      appSettings: concat(baseAppSettings, entraTelemetrySettings, archiveSettings, contentShareSettings, extraAppSettings)
    }
  }
}

resource ftpPublishing 'Microsoft.Web/sites/basicPublishingCredentialsPolicies@2025-03-01' = {
  parent: functionApp
  name: 'ftp'
  properties: {
    allow: false
  }
}

output name string = functionApp.name
output defaultHostName string = functionApp.properties.defaultHostName
output planName string = plan.name
