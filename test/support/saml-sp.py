"""A real SAML 2.0 service provider (python3-saml, Debian's python3-onelogin-saml2) for e2e tests.

Reads one JSON object on stdin (see `pythonSpValidate` in saml-peers.ts), validates the base64
SAMLResponse the way an SP's ACS endpoint would, in strict mode and with no check turned off, and
prints one JSON object on stdout:

    {"valid": bool, "error": str|null, "nameId": str|null, "nameIdFormat": str|null,
     "sessionIndex": str|null, "attributes": {name: [str]}, "issuers": [str]}

The claims are reported only for a valid response (an SP reads nothing from a rejected one).
Exit status 0 whenever the response could be judged (valid or not); non-zero only when this
script itself fails (bad input JSON, an SP configuration the library refuses, a bug).

Must run under /usr/bin/python3, the interpreter the Debian package is installed for.
"""

import json
import sys
from urllib.parse import urlsplit

from onelogin.saml2.constants import OneLogin_Saml2_Constants
from onelogin.saml2.response import OneLogin_Saml2_Response
from onelogin.saml2.settings import OneLogin_Saml2_Settings


def request_data_for(acs_url, saml_response):
    """The request the ACS endpoint would see: what `Destination` and `Recipient` are checked against."""
    url = urlsplit(acs_url)
    if url.scheme not in ('http', 'https') or not url.hostname:
        raise ValueError('acsUrl must be an absolute http(s) URL: %r' % acs_url)
    https = url.scheme == 'https'
    return {
        'https': 'on' if https else 'off',
        'http_host': url.netloc.rpartition('@')[2],  # the Host header: host[:port], as in the URL
        'server_port': str(url.port or (443 if https else 80)),
        'script_name': url.path or '/',
        'get_data': {},
        'post_data': {'SAMLResponse': saml_response},
    }


def settings_for(spec):
    sp = {
        'entityId': spec['spEntityId'],
        'assertionConsumerService': {'url': spec['acsUrl'], 'binding': OneLogin_Saml2_Constants.BINDING_HTTP_POST},
        'NameIDFormat': OneLogin_Saml2_Constants.NAMEID_UNSPECIFIED,
    }
    # With its own key pair the SP can decrypt an EncryptedAssertion / EncryptedID addressed to it.
    if spec.get('spCertificatePem'):
        sp['x509cert'] = spec['spCertificatePem']
    if spec.get('spPrivateKeyPem'):
        sp['privateKey'] = spec['spPrivateKeyPem']
    return OneLogin_Saml2_Settings(
        {
            'strict': True,
            'debug': False,
            'sp': sp,
            'idp': {
                'entityId': spec['idpEntityId'],
                'singleSignOnService': {
                    'url': spec['idpSsoUrl'],
                    'binding': OneLogin_Saml2_Constants.BINDING_HTTP_REDIRECT,
                },
                # The only key the SP accepts signatures from: the IdP's certificate from its metadata.
                'x509cert': spec['idpCertificatePem'],
            },
            'security': {
                'wantAssertionsSigned': bool(spec.get('wantAssertionsSigned', False)),
                'wantMessagesSigned': bool(spec.get('wantMessagesSigned', False)),
                'wantNameIdEncrypted': bool(spec.get('wantNameIdEncrypted', False)),
                'wantAssertionsEncrypted': bool(spec.get('wantAssertionsEncrypted', False)),
                'wantAttributeStatement': bool(spec.get('wantAttributeStatement', True)),
                'wantNameId': True,
            },
        }
    )


def text(value):
    return None if value is None else str(value)


def main():
    spec = json.load(sys.stdin)
    settings = settings_for(spec)  # a configuration the library refuses is a harness bug: crash
    request_data = request_data_for(spec['acsUrl'], spec['samlResponseBase64'])
    result = {
        'valid': False,
        'error': None,
        'nameId': None,
        'nameIdFormat': None,
        'sessionIndex': None,
        'attributes': {},
        'issuers': [],
    }
    try:
        # Parsing (and decrypting) the response is part of judging it: a failure there is an invalid response.
        response = OneLogin_Saml2_Response(settings, spec['samlResponseBase64'])
        if response.is_valid(request_data, spec.get('requestId')):
            claims = {
                'nameId': text(response.get_nameid()),
                'nameIdFormat': text(response.get_nameid_format()),
                'sessionIndex': text(response.get_session_index()),
                'attributes': {
                    name: [text(value) for value in values] for name, values in response.get_attributes().items()
                },
                'issuers': [text(issuer) for issuer in response.get_issuers()],
            }
            result.update(claims, valid=True)
        else:
            result['error'] = response.get_error() or 'rejected'
    except Exception as error:  # noqa: BLE001 — every rejection the library raises is a verdict
        result['error'] = '%s: %s' % (type(error).__name__, error)
    json.dump(result, sys.stdout)
    sys.stdout.write('\n')
    return 0


if __name__ == '__main__':
    sys.exit(main())
