{{- define "fsm-controller.labels" -}}
app.kubernetes.io/name: fsm-controller
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: {{ printf "mesh-%s" .Values.meshName }}
{{- end -}}

{{- define "fsm-controller.selector" -}}
app.kubernetes.io/name: fsm-controller
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* Cluster-scoped objects carry the release and namespace, so two installs (or FSM's own) never collide. */}}
{{- define "fsm-controller.clusterName" -}}
{{ printf "%s-%s-fsm-controller" .Release.Name .Release.Namespace | trunc 63 | trimSuffix "-" }}
{{- end -}}

{{- define "fsm-controller.webhookConfigName" -}}
{{ default (printf "%s-webhook-%s" .Release.Name .Values.meshName) .Values.injector.webhookConfigName }}
{{- end -}}

{{- define "fsm-controller.image" -}}
{{ printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end -}}
