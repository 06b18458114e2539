//! Every list, in the API and on the pages, takes `?page=&per_page=&q=&state=&owner=&sort=` and is
//! answered a page at a time. The API keeps its array bodies and tells the rest in headers: the
//! total in `X-Total-Count`, the neighbouring pages in `Link`.

use axum::{
    Json,
    http::{HeaderName, HeaderValue, header},
    response::{IntoResponse, Response},
};
use serde::{Deserialize, Serialize};
use std::str::FromStr;
use utoipa::IntoParams;
use vmportal_core::{
    Invalid, Msg,
    ids::UserId,
    store::{ListQuery, Listed, Page, Sort},
};

#[derive(Debug, Clone, Default, Deserialize, Serialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// 1-based; 1 unless given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<i64>,
    /// 1 to 500; 50 unless given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per_page: Option<i64>,
    /// A part of the name or of the owner's username, any case.
    #[serde(skip_serializing_if = "blank")]
    pub q: Option<String>,
    /// Only rows in this state.
    #[serde(skip_serializing_if = "blank")]
    pub state: Option<String>,
    /// Only rows of this owner (a username).
    #[serde(skip_serializing_if = "blank")]
    pub owner: Option<String>,
    /// A key of the list's sort whitelist; `-key` for descending.
    #[serde(skip_serializing_if = "blank")]
    pub sort: Option<String>,
}

fn blank(v: &Option<String>) -> bool {
    v.as_deref().is_none_or(|s| s.trim().is_empty())
}

/// A form's empty field means "any".
fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

impl ListParams {
    /// The store's query, limited to `scope`'s rows when set (a non-administrator).
    pub fn query<S, K>(&self, scope: Option<UserId>) -> Result<ListQuery<S, K>, Invalid>
    where
        S: FromStr<Err = Msg>,
        K: FromStr<Err = Msg> + Default,
    {
        let mut invalid = Invalid(Vec::new());
        let page = invalid.check(Page::new(self.page, self.per_page));
        let state = given(&self.state)
            .map(|s| s.parse().map_err(|m: Msg| Invalid::field("state", m)))
            .transpose();
        let state = invalid.check(state).flatten();
        let sort = match given(&self.sort) {
            Some(s) => invalid.check(s.parse().map_err(|m: Msg| Invalid::field("sort", m))),
            None => Some(Sort {
                key: K::default(),
                descending: false,
            }),
        };
        match (page, sort) {
            (Some(page), Some(sort)) if invalid.0.is_empty() => Ok(ListQuery {
                page,
                q: given(&self.q).map(str::to_owned),
                state,
                owner: given(&self.owner).map(str::to_owned),
                scope,
                teaching: false,
                sort,
            }),
            _ => Err(invalid),
        }
    }

    /// `path` with this query on page `number`.
    pub fn href(&self, path: &str, number: i64) -> String {
        let params = ListParams {
            page: Some(number),
            ..self.clone()
        };
        let query = serde_urlencoded::to_string(&params).unwrap_or_default();
        format!("{path}?{query}")
    }

    pub fn q(&self) -> &str {
        given(&self.q).unwrap_or("")
    }

    pub fn state(&self) -> &str {
        given(&self.state).unwrap_or("")
    }
}

/// Where the neighbouring pages are, for a page's links and the API's `Link` header.
#[derive(Debug, Clone)]
pub struct Pager {
    pub path: &'static str,
    pub page: i64,
    pub pages: i64,
    pub total: i64,
    pub first: Option<String>,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub last: Option<String>,
    /// The search box's and the state filter's current values.
    pub q: String,
    pub state: String,
    /// The states a page offers as filters.
    pub states: &'static [&'static str],
}

impl Pager {
    pub fn new(path: &'static str, params: &ListParams, page: Page, total: i64) -> Pager {
        let pages = page.count(total);
        let not_here = |n: i64| (n != page.number()).then(|| params.href(path, n));
        Pager {
            path,
            page: page.number(),
            pages,
            total,
            first: not_here(1),
            prev: page.prev(total).map(|p| params.href(path, p.number())),
            next: page.next(total).map(|p| params.href(path, p.number())),
            last: not_here(pages),
            q: params.q().to_owned(),
            state: params.state().to_owned(),
            states: &[],
        }
    }

    pub fn with_states(self, states: &'static [&'static str]) -> Pager {
        Pager { states, ..self }
    }

    /// RFC 8288 `Link` value.
    fn link(&self) -> String {
        [
            ("first", &self.first),
            ("prev", &self.prev),
            ("next", &self.next),
            ("last", &self.last),
        ]
        .iter()
        .filter_map(|(rel, href)| href.as_ref().map(|h| format!("<{h}>; rel=\"{rel}\"")))
        .collect::<Vec<_>>()
        .join(", ")
    }

    /// The headers that go with a page of an API list.
    pub fn headers(&self) -> Vec<(HeaderName, HeaderValue)> {
        let mut headers = vec![(
            HeaderName::from_static("x-total-count"),
            HeaderValue::from(self.total),
        )];
        if let Ok(link) = HeaderValue::try_from(self.link())
            && !link.is_empty()
        {
            headers.push((header::LINK, link));
        }
        headers
    }
}

/// A page of an API list: the rows as a JSON array, the rest in headers.
pub struct Paged<T> {
    pub items: Vec<T>,
    pub pager: Pager,
}

impl<T> Paged<T> {
    pub fn new(path: &'static str, params: &ListParams, page: Page, listed: Listed<T>) -> Self {
        Paged {
            pager: Pager::new(path, params, page, listed.total),
            items: listed.items,
        }
    }
}

impl<T: Serialize> IntoResponse for Paged<T> {
    fn into_response(self) -> Response {
        let mut response = Json(self.items).into_response();
        response.headers_mut().extend(self.pager.headers());
        response
    }
}
