use crate::{OidcConfig, http};
use async_trait::async_trait;
use openidconnect::{
    AdditionalClaims, AuthorizationCode, Client, ClientId, ClientSecret, CsrfToken,
    EmptyExtraTokenFields, EndpointMaybeSet, EndpointNotSet, EndpointSet, IdTokenFields, IssuerUrl,
    Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RequestTokenError, Scope,
    StandardErrorResponse, StandardTokenResponse,
    core::{
        CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreErrorResponseType,
        CoreGenderClaim, CoreJsonWebKey, CoreJweContentEncryptionAlgorithm,
        CoreJwsSigningAlgorithm, CoreProviderMetadata, CoreRevocableToken,
        CoreRevocationErrorResponse, CoreTokenIntrospectionResponse, CoreTokenType,
    },
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::{
    sync::Arc,
    time::{Duration, Instant},
};
use tokio::sync::Mutex;
use vmportal_core::{
    sso::{Identity, IdentityProvider, LoginSecrets, LoginStart, SsoError},
    user::Role,
};

/// Every claim of the ID token beyond the standard ones (the groups, a custom username claim).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct OtherClaims(serde_json::Map<String, Value>);
impl AdditionalClaims for OtherClaims {}

type TokenResponse = StandardTokenResponse<
    IdTokenFields<
        OtherClaims,
        EmptyExtraTokenFields,
        CoreGenderClaim,
        CoreJweContentEncryptionAlgorithm,
        CoreJwsSigningAlgorithm,
    >,
    CoreTokenType,
>;

/// A client made from the provider's discovery document.
type OidcClient = Client<
    OtherClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    TokenResponse,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// The discovery document and keys are asked for again after this long.
const DISCOVERY_TTL: Duration = Duration::from_secs(600);

pub struct OidcProvider {
    config: OidcConfig,
    secret: Option<ClientSecret>,
    redirect: RedirectUrl,
    issuer: IssuerUrl,
    http: reqwest::Client,
    discovered: Mutex<Option<(Instant, Arc<OidcClient>)>>,
}

impl OidcProvider {
    /// `public_url`: the portal's, for the redirect URI. Asks the provider nothing yet: the
    /// portal starts while a provider is down, and discovers it at the first sign-in.
    pub fn new(config: OidcConfig, public_url: &str) -> Result<OidcProvider, String> {
        config.validate()?;
        let redirect = format!(
            "{}/login/sso/{}/callback",
            public_url.trim_end_matches('/'),
            config.id
        );
        let redirect = RedirectUrl::new(redirect).map_err(|e| e.to_string())?;
        let issuer = IssuerUrl::new(config.issuer.clone())
            .map_err(|e| format!("oidc {}: issuer: {e}", config.id))?;
        let secret = config.client_secret()?.map(ClientSecret::new);
        let timeout = Duration::from_secs(config.timeout_secs);
        let http = http::client(config.ca_file.as_deref(), timeout)?;
        Ok(OidcProvider {
            config,
            secret,
            redirect,
            issuer,
            http,
            discovered: Mutex::new(None),
        })
    }

    /// The client from the provider's discovery document (and keys), fetched when missing, older
    /// than [`DISCOVERY_TTL`], or `stale` (a token signed with a key not in the cached set).
    async fn client(&self, stale: bool) -> Result<Arc<OidcClient>, SsoError> {
        let mut cached = self.discovered.lock().await;
        if let Some((at, client)) = cached.as_ref()
            && !stale
            && at.elapsed() < DISCOVERY_TTL
        {
            return Ok(client.clone());
        }
        let call = |req| http::send(self.http.clone(), req);
        let metadata = CoreProviderMetadata::discover_async(self.issuer.clone(), &call)
            .await
            .map_err(|e| {
                tracing::warn!(provider = %self.config.id, error = %error_chain(&e), "OpenID discovery failed");
                SsoError::Unavailable(format!("discovery at {}: {e}", self.config.issuer))
            })?;
        let client = OidcClient::from_provider_metadata(
            metadata,
            ClientId::new(self.config.client_id.clone()),
            self.secret.clone(),
        )
        .set_redirect_uri(self.redirect.clone());
        let client = Arc::new(client);
        *cached = Some((Instant::now(), client.clone()));
        Ok(client)
    }

    /// The identity in checked `claims`, with the role its groups give.
    fn identity(&self, claims: &Value) -> Result<Identity, SsoError> {
        let text = |name: &str| claims.get(name).and_then(Value::as_str).map(str::to_owned);
        let (issuer, subject) = text("iss")
            .zip(text("sub"))
            .ok_or_else(|| SsoError::Rejected("the ID token has no issuer or subject".into()))?;
        let username = text(&self.config.username_claim).ok_or_else(|| {
            SsoError::Rejected(format!(
                "the ID token has no {} claim",
                self.config.username_claim
            ))
        })?;
        let groups: Vec<String> = match claims.get(&self.config.groups_claim) {
            Some(Value::Array(items)) => items
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_owned)
                .collect(),
            Some(Value::String(one)) => vec![one.clone()],
            _ => Vec::new(),
        };
        let member = |group: &Option<String>| group.as_ref().is_some_and(|g| groups.contains(g));
        let role = if member(&self.config.admin_group) {
            Some(Role::Admin)
        } else if self.config.user_group.is_none() || member(&self.config.user_group) {
            Some(Role::User)
        } else {
            None
        };
        // An address the provider has not verified is kept for display only, never to match.
        let email =
            text("email").filter(|_| claims.get("email_verified") == Some(&Value::Bool(true)));
        Ok(Identity {
            issuer,
            subject,
            display_name: text("name").unwrap_or_else(|| username.clone()),
            username,
            email,
            groups,
            role,
        })
    }
}

#[async_trait]
impl IdentityProvider for OidcProvider {
    fn id(&self) -> &str {
        &self.config.id
    }

    fn label(&self) -> &str {
        &self.config.label
    }

    async fn begin(&self) -> Result<LoginStart, SsoError> {
        let client = self.client(false).await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client.authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        );
        for scope in &self.config.scopes {
            request = request.add_scope(Scope::new(scope.clone()));
        }
        let (url, state, nonce) = request.set_pkce_challenge(challenge).url();
        Ok(LoginStart {
            url: url.to_string(),
            secrets: LoginSecrets {
                state: state.secret().clone(),
                nonce: nonce.secret().clone(),
                pkce_verifier: verifier.secret().clone(),
            },
        })
    }

    async fn finish(&self, code: &str, secrets: &LoginSecrets) -> Result<Identity, SsoError> {
        let client = self.client(false).await?;
        let call = |req| http::send(self.http.clone(), req);
        let response = client
            .exchange_code(AuthorizationCode::new(code.to_owned()))
            .map_err(|e| SsoError::Unavailable(format!("the provider has no token endpoint: {e}")))?
            .set_pkce_verifier(PkceCodeVerifier::new(secrets.pkce_verifier.clone()))
            .request_async(&call)
            .await
            .map_err(|e| match e {
                // The provider refused the code: used already, expired, or not for this client.
                RequestTokenError::ServerResponse(answer) => {
                    SsoError::Rejected(format!("the provider refused the code: {}", answer.error()))
                }
                other => SsoError::Unavailable(format!("token endpoint: {}", error_chain(&other))),
            })?;
        let id_token = openidconnect::TokenResponse::id_token(&response)
            .ok_or_else(|| SsoError::Rejected("the provider sent no ID token".into()))?;
        let nonce = Nonce::new(secrets.nonce.clone());
        let checked = match id_token.claims(&client.id_token_verifier(), &nonce) {
            Ok(claims) => serde_json::to_value(claims),
            // Keys rotate: a key the cached set lacks is looked up once more at the provider.
            Err(openidconnect::ClaimsVerificationError::SignatureVerification(_)) => {
                let fresh = self.client(true).await?;
                let claims = id_token
                    .claims(&fresh.id_token_verifier(), &nonce)
                    .map_err(|e| SsoError::Rejected(format!("ID token: {e}")))?;
                serde_json::to_value(claims)
            }
            Err(e) => return Err(SsoError::Rejected(format!("ID token: {e}"))),
        };
        let claims = checked.map_err(|e| SsoError::Rejected(format!("ID token claims: {e}")))?;
        self.identity(&claims)
    }
}

/// An error and its sources, for the log.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}
