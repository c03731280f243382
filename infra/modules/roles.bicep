// Data-plane role assignments for the function app's user-assigned identity.

@description('Principal (object) id of the user-assigned managed identity.')
param principalId string

@description('Resource id of the same identity: known before deployment, so it names the assignments.')
param identityId string

param storageAccountName string
param appInsightsName string

@description('Also grant Monitoring Metrics Publisher on Application Insights (needed when it accepts Entra-authenticated telemetry only).')
param grantMetricsPublisher bool = true

// Built-in role definition ids.
var storageRoles = {
  blobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  queueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  queueDataMessageProcessor: '8a0f0c08-91a1-4084-bc3d-661d67233fed'
  tableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
}
var monitoringMetricsPublisher = '3913510d-42f4-4e42-8a64-420c390055eb'

resource storage 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: storageAccountName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: appInsightsName
}

resource storageAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in items(storageRoles): {
    name: guid(storage.id, identityId, role.value)
    scope: storage
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role.value)
      principalId: principalId
      principalType: 'ServicePrincipal'
      description: 'Function app identity: ${role.key}'
    }
  }
]

resource metricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = if (grantMetricsPublisher) {
  name: guid(appInsights.id, identityId, monitoringMetricsPublisher)
  scope: appInsights
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', monitoringMetricsPublisher)
    principalId: principalId
    principalType: 'ServicePrincipal'
    description: 'Function app identity: send Entra-authenticated telemetry'
  }
}
