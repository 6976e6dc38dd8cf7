//! A loopback listener that counts connections: proof that a server connected to
//! nobody, or to whom it should.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A listener on 127.0.0.1 that counts the connections it accepts and answers none.
#[derive(Debug)]
pub struct CountingListener {
    /// `http://127.0.0.1:PORT`
    pub base: String,
    accepted: Arc<AtomicUsize>,
}

impl CountingListener {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let accepted = Arc::new(AtomicUsize::new(0));
        let counted = accepted.clone();
        tokio::spawn(async move {
            // Kept open, so that a client waits rather than seeing a reset.
            let mut kept = Vec::new();
            while let Ok((socket, _)) = listener.accept().await {
                counted.fetch_add(1, Ordering::SeqCst);
                kept.push(socket);
            }
        });
        CountingListener { base, accepted }
    }

    /// Connections accepted so far.
    pub fn accepted(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }
}
