//! Which secrets this machine keeps, per environment, known without reading them.
//!
//! The API Keys list, Try It's credentials and the Webhooks list each show, per row, whether
//! its secret is in the keychain. Finding out by reading every secret costs one D-Bus round
//! trip per row and decrypts secrets nobody asked for. Instead each environment has an index
//! for each kind of secret: a list of ids (and, for signing secrets, when a previous secret
//! stops verifying), no secret in it. One read answers a whole list.
//!
//! The index is one more entry in the same store as the secrets, written in the same step
//! as the secret it describes, rather than a file beside the preferences. It therefore
//! shares the secrets' fate: a memory store's index leaves with the process, a keychain
//! wiped or restored from a backup takes its index along, and nothing on disk ever claims a
//! secret that is not there. Drift that remains is repaired where it shows: an index that
//! is missing (secrets kept by an older version) is rebuilt from the secrets once, and an
//! id whose secret has vanished is dropped when a read finds it gone.

use botbat_secrets::{SecretId, Sensitive};
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::{CommandError, Console};

type Result<T> = std::result::Result<T, CommandError>;

impl Console {
    /// The index stored under `id`; `None` when there is none yet, or it is unreadable.
    pub(crate) async fn read_kept<E>(&self, id: SecretId) -> Result<Option<Vec<E>>>
    where
        E: DeserializeOwned,
    {
        Ok(self
            .secrets
            .get(id)
            .await?
            .and_then(|json| serde_json::from_str(json.expose()).ok()))
    }

    /// Reads the index under `id` (empty when there is none), applies `change` and writes it
    /// back; no other change to an index can come in between.
    pub(crate) async fn change_kept<E, F>(&self, id: SecretId, change: F) -> Result<()>
    where
        E: Serialize + DeserializeOwned + Send + 'static,
        F: FnOnce(&mut Vec<E>) + Send + 'static,
    {
        let _one_at_a_time = self.kept_index.lock().await;
        self.secrets
            .run(move |store| {
                let mut index: Vec<E> = store
                    .get(&id)?
                    .and_then(|json| serde_json::from_str(json.expose()).ok())
                    .unwrap_or_default();
                change(&mut index);
                let json = serde_json::to_string(&index).unwrap_or_else(|_| "[]".into());
                store.set(&id, &Sensitive::new(json))
            })
            .await?;
        Ok(())
    }

    /// Writes the index under `id` from the secrets themselves: `ids` are the candidates,
    /// each paired with where its secret would be; those found make the index. Returns them.
    pub(crate) async fn rebuild_kept(
        &self,
        id: SecretId,
        ids: Vec<(String, SecretId)>,
    ) -> Result<Vec<String>> {
        let _one_at_a_time = self.kept_index.lock().await;
        let kept = self
            .secrets
            .run(move |store| {
                let mut kept = Vec::new();
                for (candidate, secret) in ids {
                    if store.get(&secret)?.is_some() {
                        kept.push(candidate);
                    }
                }
                let json = serde_json::to_string(&kept).unwrap_or_else(|_| "[]".into());
                store.set(&id, &Sensitive::new(json))?;
                Ok(kept)
            })
            .await?;
        Ok(kept)
    }
}
