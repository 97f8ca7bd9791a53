import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { registerServiceWorker } from './pwa/service-worker';
import { UpdateNotice } from './pwa/UpdateNotice';
import './styles.css';

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element');

createRoot(container).render(
  <StrictMode>
    <App />
    <UpdateNotice />
  </StrictMode>,
);

registerServiceWorker();
