{{- define "fsm-controller.labels" -}}
app.kubernetes.io/name: fsm-controller
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}
{{- define "fsm-controller.selector" -}}
app.kubernetes.io/name: fsm-controller
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}
