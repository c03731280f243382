// FunctionsObservability on Azure Functions (.NET 10 isolated worker, Linux, one instance).
// Deploy: az deployment group create -g <rg> -f infra/main.bicep -p infra/main.parameters.json
targetScope = 'resourceGroup'

@description('Azure region for every resource.')
param location string = resourceGroup().location

@description('Prefix of every resource name: lowercase letters, digits and single inner hyphens.')
@minLength(2)
@maxLength(12)
param namePrefix string = 'fobs'

@description('Plan SKU. EP1-EP3: Elastic Premium (default). P0v3-P3v3: Dedicated (App Service) plan. Flex Consumption is not offered: it has no persistent /home share for the DuckDB file, and it scales each non-HTTP function on its own instances (see infra/README.md).')
@allowed([
  'EP1'
  'EP2'
  'EP3'
  'P0v3'
  'P1v3'
  'P2v3'
  'P3v3'
])
param planSku string = 'EP1'

@description('Storage replication. Zone-redundant by default: on Elastic Premium the DuckDB file lives on a file share in this account.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
  'Standard_RAGRS'
  'Standard_RAGZRS'
])
param storageSku string = 'Standard_ZRS'

@description('Application Insights accepts only Entra-authenticated telemetry (sent as the app\'s managed identity).')
param appInsightsEntraAuth bool = true

@description('Where archived Parquet files go. Blob: the storage account\'s metrics-archive container; the app reaches it with a key-based connection string (it has no identity-based option yet), so the account then allows Shared Key on every plan. Local: /home/data/archive, next to the DuckDB file; Shared Key stays off on Dedicated plans.')
@allowed([
  'Blob'
  'Local'
])
param archiveStore string = 'Blob'

@description('Days archived files are kept; the app\'s Retention function deletes older ones (Archive:RetentionDays).')
@minValue(2)
param archiveRetentionDays int = 365

@description('Extra days before the Blob lifecycle rule deletes archive blobs, as a backstop behind the Retention function (rule: archiveRetentionDays + this, after the last modification).')
@minValue(1)
param archiveLifecycleMarginDays int = 7

@description('Six-field NCRONTAB schedule of the Archive timer (app setting ArchiveSchedule).')
@minLength(1)
param archiveSchedule string = '0 */5 * * * *'

@description('Six-field NCRONTAB schedule of the Retention timer (app setting RetentionSchedule).')
@minLength(1)
param retentionSchedule string = '0 17 * * * *'

@description('Tags for every resource.')
param tags object = {}

var suffix = uniqueString(resourceGroup().id, namePrefix)
var isElasticPremium = startsWith(planSku, 'EP')
var functionAppName = '${namePrefix}-func-${suffix}'
var storageAccountName = take(toLower('${replace(namePrefix, '-', '')}st${suffix}'), 24)
var appInsightsName = '${namePrefix}-${suffix}-appi'
// Elastic Premium only: the Azure Files share that backs the app's /home (and so the DuckDB file).
var contentShareName = isElasticPremium ? take(toLower(functionAppName), 63) : ''
var archiveContainerName = 'metrics-archive'

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    name: storageAccountName
    location: location
    tags: tags
    skuName: storageSku
    // Shared Key stays off unless the Elastic Premium content share (SMB, key-only) or the archive's
    // connection string needs it.
    allowSharedKeyAccess: isElasticPremium || archiveStore == 'Blob'
    contentShareName: contentShareName
    archiveContainerName: archiveContainerName
    archiveLifecycleDeleteDays: archiveRetentionDays + archiveLifecycleMarginDays
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    workspaceName: '${namePrefix}-${suffix}-logs'
    appInsightsName: appInsightsName
    location: location
    tags: tags
    disableLocalAuth: appInsightsEntraAuth
  }
}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2024-11-30' = {
  name: '${namePrefix}-id-${suffix}'
  location: location
  tags: tags
}

module roles 'modules/roles.bicep' = {
  name: 'roles'
  dependsOn: [
    storage
    monitoring
  ]
  params: {
    principalId: identity.properties.principalId
    identityId: identity.id
    storageAccountName: storageAccountName
    appInsightsName: appInsightsName
    grantMetricsPublisher: appInsightsEntraAuth
  }
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionApp'
  dependsOn: [
    storage
    // The host needs its storage roles before it first starts.
    roles
  ]
  params: {
    location: location
    tags: tags
    planName: '${namePrefix}-plan-${suffix}'
    functionAppName: functionAppName
    planSku: planSku
    identityId: identity.id
    identityClientId: identity.properties.clientId
    storageAccountName: storageAccountName
    contentShareName: contentShareName
    appInsightsConnectionString: monitoring.outputs.connectionString
    appInsightsEntraAuth: appInsightsEntraAuth
    dataDirectory: '/home/data'
    archiveStore: archiveStore
    archiveContainerName: archiveContainerName
    archiveRetentionDays: archiveRetentionDays
    archiveSchedule: archiveSchedule
    retentionSchedule: retentionSchedule
  }
}

@description('Function app name (for az functionapp commands and zip deploy).')
output functionAppName string = functionApp.outputs.name

@description('Default host name: https://<this>/api/...')
output defaultHostName string = functionApp.outputs.defaultHostName

@description('Storage account holding the host state, queues, archive container (and, on Elastic Premium, the /home share).')
output storageAccountName string = storage.outputs.name

@description('Client id of the function app\'s user-assigned managed identity.')
output identityClientId string = identity.properties.clientId
