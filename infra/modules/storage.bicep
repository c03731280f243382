// Storage account for the Functions host (AzureWebJobsStorage, identity-based), the ingest queues,
// the archive container (with a lifecycle rule that deletes expired archive blobs as a backstop
// behind the app's Retention function) and, on Elastic Premium only, the Azure Files content share
// behind /home.

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

@description('Shared Key access. Needed by the Elastic Premium content share (Azure Files over SMB, key-based only) and by the app\'s archive store when it writes to Blob (it takes a connection string only); everything else uses the managed identity.')
param allowSharedKeyAccess bool = false

@description('Name of the Azure Files share for the Elastic Premium content share (/home). Empty: no share.')
param contentShareName string = ''

@description('Storage queues used by the app.')
param queueNames array = [
  'metrics-ingest'
  'metrics-ingest-poison'
]

@description('Blob containers used by the app (the archive container is added if missing).')
param containerNames array = [
  'metrics-archive'
]

@description('Container of the archived Parquet files (the app\'s Archive:ContainerName).')
param archiveContainerName string = 'metrics-archive'

@description('Lifecycle rule: delete archive blobs this many days after their last modification. A backstop behind the app\'s Retention function (Archive:RetentionDays, 365 by default), so it must be longer than that: blobs are written when their hour leaves the 24 h hot window, so a blob\'s age is always below its data\'s age. 0: no rule.')
@minValue(0)
param archiveLifecycleDeleteDays int = 372

var allContainerNames = union(containerNames, [archiveContainerName])

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
  for containerName in allContainerNames: {
    parent: blobService
    name: containerName
    properties: {
      publicAccess: 'None'
    }
  }
]

// Lifecycle management runs about once a day; the app's Retention function deletes expired files
// (and their manifest entries) first, so this rule only catches what it missed: files of a
// deployment whose app was removed, files left by a failed run, or a retention outage.
resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2025-01-01' = if (archiveLifecycleDeleteDays > 0) {
  parent: account
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'delete-expired-archive'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: [
                'blockBlob'
              ]
              // A prefix starts with the container name; the trailing slash keeps it to this container.
              prefixMatch: [
                '${archiveContainerName}/'
              ]
            }
            actions: {
              baseBlob: {
                delete: {
                  daysAfterModificationGreaterThan: archiveLifecycleDeleteDays
                }
              }
            }
          }
        }
      ]
    }
  }
}

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
output archiveContainerName string = archiveContainerName
