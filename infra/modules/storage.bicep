// Storage account for the Functions host (AzureWebJobsStorage, identity-based), the ingest queues,
// the archive container and, on Elastic Premium only, the Azure Files content share behind /home.

@description('Storage account name (3-24 lowercase letters and digits, globally unique).')
@minLength(3)
@maxLength(24)
param name string

param location string
param tags object = {}

@description('Replication. Zone-redundant is recommended: on Elastic Premium the DuckDB file lives on a file share in this account.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
  'Standard_RAGRS'
  'Standard_RAGZRS'
])
param skuName string = 'Standard_ZRS'

@description('Shared Key access. Only the Elastic Premium content share (Azure Files over SMB, key-based only) needs it; everything else uses the managed identity.')
param allowSharedKeyAccess bool = false

@description('Name of the Azure Files share for the Elastic Premium content share (/home). Empty: no share.')
param contentShareName string = ''

@description('Storage queues used by the app.')
param queueNames array = [
  'metrics-ingest'
  'metrics-ingest-poison'
]

@description('Blob containers used by the app.')
param containerNames array = [
  'metrics-archive'
]

resource account 'Microsoft.Storage/storageAccounts@2025-01-01' = {
  name: name
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: skuName
  }
  properties: {
    accessTier: 'Hot'
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    allowSharedKeyAccess: allowSharedKeyAccess
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
    encryption: {
      keySource: 'Microsoft.Storage'
      services: {
        blob: {
          enabled: true
        }
        file: {
          enabled: true
        }
        queue: {
          enabled: true
        }
        table: {
          enabled: true
        }
      }
    }
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2025-01-01' = {
  parent: account
  name: 'default'
  properties: {
    deleteRetentionPolicy: {
      enabled: true
      days: 7
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: 7
    }
  }
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2025-01-01' = [
  for containerName in containerNames: {
    parent: blobService
    name: containerName
    properties: {
      publicAccess: 'None'
    }
  }
]

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2025-01-01' = {
  parent: account
  name: 'default'
}

resource queues 'Microsoft.Storage/storageAccounts/queueServices/queues@2025-01-01' = [
  for queueName in queueNames: {
    parent: queueService
    name: queueName
  }
]

resource fileService 'Microsoft.Storage/storageAccounts/fileServices@2025-01-01' = if (!empty(contentShareName)) {
  parent: account
  name: 'default'
  properties: {
    shareDeleteRetentionPolicy: {
      enabled: true
      days: 7
    }
  }
}

resource contentShare 'Microsoft.Storage/storageAccounts/fileServices/shares@2025-01-01' = if (!empty(contentShareName)) {
  parent: fileService
  name: empty(contentShareName) ? 'unused' : contentShareName
  properties: {
    shareQuota: 100
    enabledProtocols: 'SMB'
  }
}

output id string = account.id
output name string = account.name
output blobEndpoint string = account.properties.primaryEndpoints.blob
output queueEndpoint string = account.properties.primaryEndpoints.queue
