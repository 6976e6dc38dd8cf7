//! OpenTelemetry trace export (the `otel` feature): each request's span, with its id,
//! route and program, sent over OTLP/HTTP to a collector.

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::{SpanExporter, WithExportConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing_subscriber::Layer;
use tracing_subscriber::registry::LookupSpan;

/// The spans' way out; shut down to send what is still buffered.
#[derive(Debug)]
pub struct Traces(SdkTracerProvider);

impl Traces {
    /// Exports spans to the collector at `endpoint` (`http://host:4318`); the layer
    /// turns the server's spans into OpenTelemetry ones.
    pub fn start<S>(endpoint: &str) -> Result<(Traces, impl Layer<S>), String>
    where
        S: tracing::Subscriber + for<'span> LookupSpan<'span>,
    {
        let url = format!("{}/v1/traces", endpoint.trim_end_matches('/'));
        // The exporter's blocking HTTP client may not be built on the async runtime's
        // threads, so it is built on one of its own.
        let exporter =
            std::thread::spawn(move || SpanExporter::builder().with_http().with_endpoint(url).build())
                .join()
                .map_err(|_| "the trace exporter could not be built".to_owned())?
                .map_err(|e| format!("the trace exporter: {e}"))?;
        let provider = SdkTracerProvider::builder()
            .with_batch_exporter(exporter)
            .with_resource(Resource::builder().with_service_name("loyalty").build())
            .build();
        let layer = tracing_opentelemetry::layer().with_tracer(provider.tracer("loyalty"));
        Ok((Traces(provider), layer))
    }

    /// Sends the spans still buffered, and stops.
    pub fn shutdown(self) {
        if let Err(e) = self.0.shutdown() {
            tracing::warn!(error = %e, "the last traces could not be sent");
        }
    }
}
